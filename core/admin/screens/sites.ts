import { HttpError } from '../../http/errors.js';
import { html } from '../../http/html.js';
import { SiteError, type Site } from '../../sites/sites.js';
import type { PageContext } from '../page-context.js';
import { bodyIds, bodyString, deleteWarnings, formField, renderDeleteConfirmation } from '../form.js';
import { currentBulkAction, parseListQuery, renderListTable } from '../list-table.js';
import type { Screen } from '../routes.js';

const when = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const sitesScreen: Screen = {
  capability: 'manage_sites',
  id: 'sites-network',
  async handle(ctx, { host }) {
    const { req } = ctx;
    const q = req.query as Record<string, unknown>;
    if (req.method === 'POST') {
      ctx.check_admin_referer('bulk-sites');
      if (currentBulkAction(req.body) !== 'delete') {
        ctx.add_notice('error', 'Choose a bulk action.');
        return ctx.redirect('/wp-admin/network/sites.php');
      }
      if (!ctx.current_user_can('delete_sites')) throw new HttpError(403, 'Sorry, you are not allowed to delete sites.');
      if (bodyString(req.body, 'confirmed') !== '1') {
        const targets = (await Promise.all(bodyIds(req.body).filter((id) => id !== 1).map((id) => host.sites.getAsync(id)))).filter((s) => s !== undefined);
        const warnings = await deleteWarnings(host.hooks, 'hookpress_delete_site_warnings', targets);
        if (warnings.length) return confirmSiteDelete(ctx, targets, warnings);
      }
      let n = 0;
      for (const id of bodyIds(req.body)) {
        if (id === 1) {
          ctx.add_notice('error', 'The main site cannot be deleted.');
          continue;
        }
        if (await host.sites.deleteAsync(id)) n++;
      }
      if (n) ctx.add_notice('success', n === 1 ? 'Site deleted.' : `${n} sites deleted.`);
      return ctx.redirect('/wp-admin/network/sites.php');
    }
    // Deleting one site goes through a confirmation page (works without JavaScript).
    if (q.action === 'confirm-delete') {
      const site = await host.sites.getAsync(Number(q.id));
      if (!site) throw new HttpError(404, 'That site does not exist.', 'Not Found');
      // Refused up front, not after the confirmation is posted.
      if (site.id === 1) throw new HttpError(403, 'The main site of the network cannot be deleted.', 'Cannot Delete the Main Site');
      return confirmSiteDelete(ctx, [site], await deleteWarnings(host.hooks, 'hookpress_delete_site_warnings', [site]));
    }
    const query = parseListQuery(req, { orderby: ['slug', 'title', 'registered', 'id'], defaultOrderby: 'id' });
    // `?id=N` (a payload's site_manage_url) opens one site: the list narrowed to it.
    const onlyId = Number.parseInt(String(q.id ?? ''), 10);
    const only = Number.isInteger(onlyId) && onlyId > 0 ? await host.sites.getAsync(onlyId) : undefined;
    const { items, total } =
      q.id !== undefined && q.action === undefined
        ? { items: only ? [only] : [], total: only ? 1 : 0 }
        : await host.sites.listAsync({ search: query.search, orderby: query.orderby, order: query.order, limit: query.perPage, offset: query.offset });
    await ctx.renderHtml(
      html`<h1>Sites <a href="/wp-admin/network/site-new.php" class="page-title-action button">Add New Site</a></h1>
      ${only ? html`<p class="filter-note">Showing site “${only.title}” only. <a href="/wp-admin/network/sites.php">Show all sites</a></p>` : ''}
      ${renderListTable({
        plural: 'sites',
        columns: [
          { key: 'slug', label: 'URL', sortable: true, cell: (s) => html`<strong>${s.slug}</strong>` },
          { key: 'title', label: 'Title', sortable: true, cell: (s) => s.title },
          { key: 'admin_email', label: 'Admin Email', cell: (s) => s.admin_email },
          { key: 'registered', label: 'Registered', sortable: true, cell: (s) => when(s.registered) },
        ],
        rows: items,
        total,
        query,
        rowId: (s) => s.id,
        rowLabel: (s) => s.title,
        rowActions: (s) =>
          s.id === 1 ? [] : [{ label: 'Delete', className: 'delete', href: `/wp-admin/network/sites.php?action=confirm-delete&id=${s.id}&from=${encodeURIComponent(req.originalUrl)}`, ariaLabel: `Delete “${s.title}”` }],
        bulkActions: ctx.current_user_can('delete_sites') ? { delete: 'Delete' } : {},
        bulkNonceField: ctx.wp_nonce_field('bulk-sites'),
        searchLabel: 'Search Sites',
        baseUrl: req.originalUrl,
        empty:
          q.id !== undefined
            ? html`<p>There is no site with id ${String(q.id)}; it may have been deleted. <a href="/wp-admin/network/sites.php">Show all sites</a></p>`
            : html`<p>No sites found.</p><p><a href="/wp-admin/network/site-new.php">Add New Site</a></p>`,
      })}`,
      { title: 'Sites' },
    );
  },
};

function confirmSiteDelete(ctx: PageContext, targets: Site[], warnings: string[]): Promise<void> {
  const one = targets.length === 1 ? targets[0]! : undefined;
  return renderDeleteConfirmation(ctx, {
    title: one ? 'Delete Site' : 'Delete Sites',
    message: one
      ? html`You are about to delete the site <strong>${one.title}</strong> (${one.slug}).`
      : html`You are about to delete these sites: ${targets.map((s, i) => html`${i ? ', ' : ''}<strong>${s.title}</strong> (${s.slug})`)}.`,
    listUrl: '/wp-admin/network/sites.php',
    plural: 'sites',
    ids: targets.map((s) => s.id),
    confirmLabel: one ? 'Yes, delete this site' : 'Yes, delete these sites',
    warnings,
  });
}

export const siteNewScreen: Screen = {
  capability: 'create_sites',
  id: 'site-new-network',
  async handle(ctx, { host }) {
    const { req } = ctx;
    const values = { slug: '', title: '', admin_email: '' };
    const errors: Record<string, string> = {};
    if (req.method === 'POST') {
      ctx.check_admin_referer('add-blog');
      values.slug = bodyString(req.body, 'slug');
      values.title = bodyString(req.body, 'title');
      values.admin_email = bodyString(req.body, 'admin_email');
      try {
        const site = await host.sites.createAsync(values);
        ctx.add_notice('success', `Site “${site.title}” added.`);
        return ctx.redirect('/wp-admin/network/sites.php');
      } catch (error) {
        if (!(error instanceof SiteError)) throw error;
        Object.assign(errors, error.fields ?? { [error.field ?? 'slug']: error.message });
      }
    }
    await ctx.renderHtml(
      html`<h1>Add New Site</h1>
      ${Object.keys(errors).length ? html`<div class="notice notice-error" role="alert"><p>Please correct the errors below.</p></div>` : ''}
      <form method="post" action="/wp-admin/network/site-new.php" novalidate>
        ${ctx.wp_nonce_field('add-blog')}
        <table class="form-table" role="presentation">
          ${formField({ id: 'slug', label: 'Site Address (URL)', value: values.slug, error: errors.slug, required: true, description: 'Only lowercase letters (a-z), numbers, and hyphens are allowed.' })}
          ${formField({ id: 'title', label: 'Site Title', value: values.title, error: errors.title, required: true })}
          ${formField({ id: 'admin_email', label: 'Admin Email', type: 'email', value: values.admin_email, error: errors.admin_email, required: true })}
        </table>
        <p class="submit"><button type="submit" class="button button-primary">Add Site</button></p>
      </form>`,
      { title: 'Add New Site', status: Object.keys(errors).length ? 422 : 200 },
    );
  },
};
