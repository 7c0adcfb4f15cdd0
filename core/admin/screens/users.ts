import { html } from '../../http/html.js';
import { HttpError } from '../../http/errors.js';
import { UserError } from '../../users/users.js';
import { bodyIds, bodyString, deleteWarnings, formField, renderDeleteConfirmation, TEXT_LIMITS } from '../form.js';
import { currentBulkAction, parseListQuery, renderListTable } from '../list-table.js';
import type { Screen } from '../routes.js';
import type { User } from '../../users/users-store.js';
import type { PageContext } from '../page-context.js';

const when = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const USERS = '/wp-admin/network/users.php';

export const usersScreen: Screen = {
  capability: 'manage_network_users',
  id: 'users-network',
  async handle(ctx, { host }) {
    const { req, user: me } = ctx;
    const q = req.query as Record<string, unknown>;
    if (req.method === 'POST') {
      const action = currentBulkAction(req.body);
      ctx.check_admin_referer('bulk-users');
      const ids = bodyIds(req.body);
      if (action === 'delete') {
        if (!ctx.current_user_can('delete_users')) throw new HttpError(403, 'Sorry, you are not allowed to delete users.');
        // A bulk delete of users that other records depend on asks first, as the single delete does.
        if (bodyString(req.body, 'confirmed') !== '1') {
          const targets = (await Promise.all(ids.filter((id) => id !== me.id).map((id) => host.users.getAsync(id)))).filter((u) => u !== undefined);
          const warnings = await deleteWarnings(host.hooks, 'hookpress_delete_user_warnings', targets);
          if (warnings.length) return confirmUserDelete(ctx, targets, warnings);
        }
        let n = 0;
        for (const id of ids) {
          if (id === me.id) {
            ctx.add_notice('error', 'You cannot delete your own account.');
            continue;
          }
          if (await host.users.deleteAsync(id)) n++;
        }
        if (n) ctx.add_notice('success', n === 1 ? 'User deleted.' : `${n} users deleted.`);
      } else if (action === 'grant_super_admin' || action === 'revoke_super_admin') {
        for (const id of ids) {
          if (action === 'revoke_super_admin' && id === me.id) {
            ctx.add_notice('error', 'You cannot remove your own super admin privileges.');
            continue;
          }
          const changed = action === 'grant_super_admin' ? await host.users.grantSuperAdmin(id) : await host.users.revokeSuperAdmin(id);
          const u = await host.users.getAsync(id);
          if (changed && u) {
            ctx.add_notice('success', action === 'grant_super_admin' ? `${u.login} is now a super admin.` : `${u.login} is no longer a super admin.`);
          }
        }
      } else {
        ctx.add_notice('error', 'Choose a bulk action.');
      }
      return ctx.redirect(USERS);
    }
    if (q.action === 'confirm-delete') {
      const target = await host.users.getAsync(Number(q.id));
      if (!target) throw new HttpError(404, 'That user does not exist.', 'Not Found');
      if (target.id === me.id) throw new HttpError(403, 'You cannot delete your own account.');
      return confirmUserDelete(ctx, [target], await deleteWarnings(host.hooks, 'hookpress_delete_user_warnings', [target]));
    }
    const query = parseListQuery(req, { orderby: ['login', 'email', 'registered', 'display_name'], defaultOrderby: 'login' });
    const { items, total } = await host.users.listAsync({
      search: query.search,
      orderby: query.orderby as 'login',
      order: query.order,
      limit: query.perPage,
      offset: query.offset,
    });
    const nonce = ctx.wp_nonce_field('bulk-users');
    await ctx.renderHtml(
      html`<h1>Users <a href="/wp-admin/network/user-new.php" class="page-title-action button">Add New User</a></h1>
      ${renderListTable({
        plural: 'users',
        columns: [
          {
            key: 'login',
            label: 'Username',
            sortable: true,
            cell: (u) => html`<strong>${u.login}</strong>${host.users.is_super_admin(u.id) ? html` — <span class="badge badge-info">Super Admin</span>` : ''}`,
          },
          { key: 'display_name', label: 'Name', sortable: true, cell: (u) => u.display_name },
          { key: 'email', label: 'Email', sortable: true, cell: (u) => u.email },
          { key: 'registered', label: 'Registered', sortable: true, cell: (u) => when(u.registered) },
        ],
        rows: items,
        total,
        query,
        rowId: (u) => u.id,
        rowLabel: (u) => u.login,
        rowActions: (u) =>
          u.id === me.id ? [] : [{ label: 'Delete', className: 'delete', href: `${USERS}?action=confirm-delete&id=${u.id}&from=${encodeURIComponent(req.originalUrl)}`, ariaLabel: `Delete “${u.login}”` }],
        bulkActions: { delete: 'Delete', grant_super_admin: 'Grant Super Admin', revoke_super_admin: 'Remove Super Admin' },
        bulkNonceField: nonce,
        searchLabel: 'Search Users',
        baseUrl: req.originalUrl,
        empty: html`<p>No users found.</p>`,
      })}`,
      { title: 'Users' },
    );
  },
};

function confirmUserDelete(ctx: PageContext, targets: User[], warnings: string[]): Promise<void> {
  const one = targets.length === 1 ? targets[0]! : undefined;
  return renderDeleteConfirmation(ctx, {
    title: one ? 'Delete User' : 'Delete Users',
    message: one
      ? html`You are about to delete the user <strong>${one.login}</strong> (${one.email}).`
      : html`You are about to delete these users: ${targets.map((u, i) => html`${i ? ', ' : ''}<strong>${u.login}</strong>`)}.`,
    listUrl: USERS,
    plural: 'users',
    ids: targets.map((u) => u.id),
    confirmLabel: 'Confirm Deletion',
    warnings,
  });
}

export const userNewScreen: Screen = {
  capability: 'create_users',
  id: 'user-new-network',
  async handle(ctx, { host }) {
    const { req } = ctx;
    const values = { login: '', email: '', display_name: '' };
    const errors: Record<string, string> = {};
    if (req.method === 'POST') {
      ctx.check_admin_referer('add-user');
      values.login = bodyString(req.body, 'user_login');
      values.email = bodyString(req.body, 'email');
      values.display_name = bodyString(req.body, 'display_name');
      const password = typeof (req.body as Record<string, unknown>).pass1 === 'string' ? String((req.body as Record<string, unknown>).pass1) : '';
      try {
        const { user, password: used } = await host.users.create({ ...values, password });
        ctx.add_notice('success', password ? `User ${user.login} added.` : `User ${user.login} added. Their generated password is: ${used}`);
        return ctx.redirect(USERS);
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        const inputOf = (f: string | undefined) => (f === 'login' ? 'user_login' : f === 'password' ? 'pass1' : (f ?? 'user_login'));
        for (const [f, m] of Object.entries(error.fields ?? { [error.field ?? 'login']: error.message })) errors[inputOf(f)] = m;
      }
    }
    await ctx.renderHtml(
      html`<h1>Add New User</h1>
      ${Object.keys(errors).length ? html`<div class="notice notice-error" role="alert"><p>Please correct the errors below.</p></div>` : ''}
      <form method="post" action="/wp-admin/network/user-new.php" novalidate>
        ${ctx.wp_nonce_field('add-user')}
        <table class="form-table" role="presentation">
          ${formField({ id: 'user_login', label: 'Username', value: values.login, error: errors.user_login, required: true, autocomplete: 'off' })}
          ${formField({ id: 'email', label: 'Email', type: 'email', value: values.email, error: errors.email, required: true })}
          ${formField({ id: 'display_name', label: 'Display Name', maxLength: TEXT_LIMITS.display_name, value: values.display_name, error: errors.display_name })}
          ${formField({ id: 'pass1', label: 'Password', type: 'password', error: errors.pass1, autocomplete: 'new-password', description: 'Leave empty to generate a strong password, shown once after saving.' })}
        </table>
        <p class="submit"><button type="submit" class="button button-primary">Add User</button></p>
      </form>`,
      { title: 'Add New User', status: Object.keys(errors).length ? 422 : 200 },
    );
  },
};
