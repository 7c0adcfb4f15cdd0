import { HttpError, type PageContext } from '../../../core/plugin-sdk.js';
import type { Webhook } from '../model/webhook.js';
import { WebhookError } from '../errors.js';
import { describeTest, relativeTime, shortUrl, webhookStatusBadge } from './format.js';
import { sparkline } from './charts.js';
import { CAPABILITY, PAGES, pageUrl, queryInt, queryString, wantsJson, type ScreenDeps } from './shared.js';

const STATUSES = [
  ['', 'All'],
  ['active', 'Active'],
  ['inactive', 'Inactive'],
  ['disabled', 'Disabled'],
  ['hidden', 'Hidden'],
] as const;

/** POSTs of the list screen: row actions (test, activate, deactivate, delete) and bulk actions. */
export async function handleListActions(ctx: PageContext, { api, admin }: ScreenDeps): Promise<void> {
  if (ctx.req.method !== 'POST') return;
  const { ui } = api;
  if (!ctx.current_user_can(CAPABILITY)) throw new HttpError(403, 'Sorry, you are not allowed to manage webhooks.');
  const action = ui.bodyString(ctx.req.body, 'action');
  const back = ui.bodyString(ctx.req.body, 'redirect_to') || pageUrl(api, PAGES.list);
  const safeBack = back.startsWith('/wp-admin/network/') ? back : pageUrl(api, PAGES.list);

  if (ui.bodyString(ctx.req.body, 'bulk') === '1') {
    ctx.check_admin_referer('bulk-webhooks');
    const ids = ui.bodyIds(ctx.req.body);
    const action = ui.currentBulkAction(ctx.req.body);
    if (!ids.length || !['activate', 'deactivate', 'delete'].includes(action)) {
      ctx.add_notice('error', ids.length ? 'Choose a bulk action.' : 'Select at least one webhook.');
      return ctx.redirect(safeBack);
    }
    // A bulk delete asks first, as the row's Delete does: the delivery logs go with the webhooks.
    if (action === 'delete' && ui.bodyString(ctx.req.body, 'confirmed') !== '1') {
      const targets: Webhook[] = [];
      for (const id of ids) {
        try {
          targets.push(await admin.get_webhook(id));
        } catch {
          /* deleted meanwhile: left out */
        }
      }
      if (!targets.length) {
        ctx.add_notice('error', 'The selected webhooks do not exist (they may have been deleted).');
        return ctx.redirect(safeBack);
      }
      let deliveries = 0;
      for (const w of targets) deliveries += (await admin.deliveryLog.totalsOf(w.id)).deliveries;
      const { html } = ui;
      return ui.renderPostConfirmation(ctx, {
        title: targets.length === 1 ? 'Delete Webhook' : 'Delete Webhooks',
        message: html`You are about to delete ${targets.length === 1 ? 'this webhook' : html`these ${targets.length} webhooks`}: ${targets.map((w, i) => html`${i ? ', ' : ''}<strong>${w.name}</strong>`)}. Their delivery logs (${deliveries} deliver${deliveries === 1 ? 'y' : 'ies'}) are deleted with them, and pending retries are not sent. This cannot be undone.`,
        actionUrl: pageUrl(api, PAGES.list),
        nonceAction: 'bulk-webhooks',
        fields: { bulk: '1', action: 'delete', 'ids[]': targets.map((w) => String(w.id)), redirect_to: safeBack },
        confirmLabel: targets.length === 1 ? 'Yes, Delete Webhook' : 'Yes, Delete Webhooks',
        cancelUrl: safeBack,
      });
    }
    let n = 0;
    for (const id of ids) {
      try {
        if (action === 'delete') await admin.delete_webhook(id);
        else await admin.update_webhook(id, { active: action === 'activate' });
        n++;
      } catch (error) {
        if (!(error instanceof WebhookError)) throw error;
      }
    }
    const verb = action === 'delete' ? 'deleted' : action === 'activate' ? 'activated' : 'deactivated';
    ctx.add_notice('success', `${n} webhook${n === 1 ? '' : 's'} ${verb}.`);
    return ctx.redirect(safeBack);
  }

  const id = Number.parseInt(ui.bodyString(ctx.req.body, 'webhook_id'), 10);
  ctx.check_admin_referer(`webhook-${action}_${id}`);
  let webhook: Webhook;
  try {
    webhook = await admin.get_webhook(id);
  } catch {
    throw new HttpError(404, 'That webhook does not exist (it may have been deleted).', 'Not Found');
  }
  if (action === 'test') {
    const result = await admin.send_test_event(webhook.id);
    if (wantsJson(ctx)) {
      ctx.res.json({ ...result, message: describeTest(result), deliveryUrl: pageUrl(api, PAGES.deliveries, { delivery: result.deliveryId }) });
      return;
    }
    ctx.add_notice(result.ok ? 'success' : 'error', `Send Test Event to “${webhook.name}”: ${describeTest(result)}`, {
      href: pageUrl(api, PAGES.deliveries, { delivery: result.deliveryId }),
      label: 'View the delivery',
    });
    return ctx.redirect(safeBack);
  }
  if (action === 'activate' || action === 'deactivate') {
    await admin.update_webhook(id, { active: action === 'activate' });
    ctx.add_notice('success', `Webhook “${webhook.name}” ${action === 'activate' ? 'activated' : 'deactivated'}.`);
    return ctx.redirect(safeBack);
  }
  if (action === 'delete') {
    await admin.delete_webhook(id);
    ctx.add_notice('success', `Webhook “${webhook.name}” deleted.`);
    return ctx.redirect(pageUrl(api, PAGES.list));
  }
  ctx.add_notice('error', 'Unknown action.');
  ctx.redirect(safeBack);
}

export async function renderList(ctx: PageContext, { api, admin }: ScreenDeps): Promise<void> {
  const { ui } = api;
  const { html } = ui;
  if (queryString(ctx, 'action') === 'confirm-delete') return renderDeleteConfirmation(ctx, { api, admin });
  const status = queryString(ctx, 'status');
  const query = ui.parseListQuery(ctx.req, {
    orderby: ['name', 'url', 'event', 'event_count', 'last_delivery_at', 'created_at'],
    defaultOrderby: 'created_at',
    defaultOrder: 'desc',
  });
  const { items, total } = await admin.list_webhooks({
    search: query.search,
    status: ['active', 'inactive', 'disabled'].includes(status) ? (status as 'active') : undefined,
    // Hidden webhooks (an integration's own subscriptions) show only under their filter.
    hidden: status === 'hidden',
    orderby: query.orderby as 'name',
    order: query.order,
    limit: query.perPage,
    offset: query.offset,
  });
  const now = api.clock();
  const HOUR = 3_600_000;
  const sparkSince = Math.floor(now / HOUR) * HOUR - 23 * HOUR;
  const health = await admin.health.bucketsMany(items.map((w) => w.id), sparkSince, HOUR, 24);
  const logCounts = await admin.deliveryLog.countsByWebhook(items.map((w) => w.id));
  const listUrl = pageUrl(api, PAGES.list);
  const here = ctx.req.originalUrl;
  const actionForm = (w: Webhook, action: string, label: string, className = '', aria = '') => ({
    label,
    className,
    href: listUrl,
    ariaLabel: aria || `${label} “${w.name}”`,
    post: {
      fields: { action, webhook_id: w.id, redirect_to: here },
      nonceField: ctx.wp_nonce_field(`webhook-${action}_${w.id}`),
      data: action === 'test' ? { 'send-test': '1' } : undefined,
    },
  });
  const event = (slug: string) => admin.wu_get_event_type(slug);
  const filters = html`<ul class="subsubsub">${STATUSES.map(
    ([value, label], i) =>
      html`<li class="${status === value ? 'current' : ''}">${i ? '| ' : ''}<a href="${value ? pageUrl(api, PAGES.list, { status: value }) : listUrl}"${status === value ? html` aria-current="page"` : ''}>${label}</a></li>`,
  )}</ul>`;
  const table = ui.renderListTable({
    plural: 'webhooks',
    primary: 'name',
    columns: [
      {
        key: 'name',
        label: 'Name',
        sortable: true,
        cell: (w) => html`<strong><a class="row-title" href="${pageUrl(api, PAGES.edit, { id: w.id })}">${w.name}</a></strong>`,
      },
      { key: 'url', label: 'URL', sortable: true, cell: (w) => html`<code title="${w.url}">${shortUrl(w.url)}</code>` },
      {
        key: 'event',
        label: 'Event',
        sortable: true,
        cell: (w) => html`${event(w.event)?.name ?? 'Unknown event'}<br><code>${w.event}</code>`,
      },
      { key: 'status', label: 'Status', cell: (w) => webhookStatusBadge(ui, w) },
      { key: 'health', label: 'Health (24 h)', cell: (w) => sparkline(ui, health.get(w.id) ?? []) },
      // The deliveries in the log, as the linked list shows them (test sends are not deliveries
      // and count in no figure; pruned ones gone); sorting uses the cached count of events delivered.
      { key: 'event_count', label: 'Deliveries', sortable: true, cell: (w) => html`<a href="${pageUrl(api, PAGES.deliveries, { webhook_id: w.id, is_test: 0 })}">${logCounts.get(w.id) ?? 0}</a>` },
      {
        key: 'last_delivery_at',
        label: 'Last delivery',
        sortable: true,
        cell: (w) =>
          w.last_delivery_at === null
            ? html`<span class="description">Never</span>`
            : html`<span class="badge ${w.last_status === 'success' ? 'badge-success' : 'badge-error'}">${w.last_status === 'success' ? 'OK' : 'Failed'}${w.last_http_status ? ` ${w.last_http_status}` : ''}</span> <time datetime="${new Date(w.last_delivery_at).toISOString()}">${relativeTime(w.last_delivery_at, now)}</time>`,
      },
    ],
    rows: items,
    total,
    query,
    rowId: (w) => w.id,
    rowLabel: (w) => w.name,
    rowActions: (w) => [
      { label: 'Edit', href: pageUrl(api, PAGES.edit, { id: w.id }), ariaLabel: `Edit “${w.name}”` },
      actionForm(w, 'test', 'Send Test Event'),
      w.active ? actionForm(w, 'deactivate', 'Deactivate') : actionForm(w, 'activate', 'Activate'),
      { label: 'Delete', className: 'delete', href: pageUrl(api, PAGES.list, { action: 'confirm-delete', id: w.id, from: here }), ariaLabel: `Delete “${w.name}”` },
    ],
    bulkActions: { activate: 'Activate', deactivate: 'Deactivate', delete: 'Delete' },
    bulkNonceField: html`${ctx.wp_nonce_field('bulk-webhooks')}<input type="hidden" name="bulk" value="1"><input type="hidden" name="redirect_to" value="${here}">`,
    searchLabel: 'Search Webhooks',
    baseUrl: here,
    empty:
      query.search || status
        ? html`<p>No webhooks match.</p><p><a href="${listUrl}">Show all webhooks</a></p>`
        : html`<h2>No webhooks yet</h2>
          <p>A webhook sends real-time data to another application — a CRM, a mailing list, Zapier — the moment something happens on your network.</p>
          <p><a class="button button-primary" href="${pageUrl(api, PAGES.add)}">Add New Webhook</a></p>
          <p>See <a href="${pageUrl(api, PAGES.events)}">every available event, its description and sample payload</a>.</p>`,
  });
  ctx.enqueue_script(api.urls.asset_url('webhooks-admin.js'));
  await ctx.renderHtml(
    html`<h1>Webhooks <a href="${pageUrl(api, PAGES.add)}" class="page-title-action button">Add New Webhook</a></h1>
    ${filters}
    ${table}
    ${testDialog(api)}`,
    { title: 'Webhooks' },
  );
}

async function renderDeleteConfirmation(ctx: PageContext, { api, admin }: ScreenDeps): Promise<void> {
  const { html } = api.ui;
  const id = queryInt(ctx, 'id');
  let w: Webhook;
  try {
    w = await admin.get_webhook(id ?? 0);
  } catch {
    throw new HttpError(404, 'That webhook does not exist (it may have been deleted).', 'Not Found');
  }
  await ctx.renderHtml(
    html`<h1>Delete Webhook</h1>
    <div class="danger-zone">
      <p>You are about to delete the webhook <strong>${w.name}</strong>, which sends <code>${w.event}</code> to <code>${w.url}</code>.</p>
      <p>Its delivery log (${(await admin.deliveryLog.totalsOf(w.id)).deliveries} deliveries) is deleted with it, and pending retries are not sent. This cannot be undone.</p>
      <form method="post" action="${pageUrl(api, PAGES.list)}">
        ${ctx.wp_nonce_field(`webhook-delete_${w.id}`)}
        <input type="hidden" name="action" value="delete"><input type="hidden" name="webhook_id" value="${w.id}">
        <p><button type="submit" class="button button-primary delete">Yes, Delete Webhook</button>
        <a class="button" href="${api.ui.returnUrl(ctx.req, pageUrl(api, PAGES.edit, { id: w.id }))}">Cancel</a></p>
      </form>
    </div>`,
    { title: 'Delete Webhook' },
  );
}

/** The dialog the script fills with a test send's result (hidden without JS). */
export function testDialog(api: ScreenDeps['api']) {
  const { html } = api.ui;
  return html`<dialog id="test-result-dialog" aria-labelledby="test-result-title">
    <h2 id="test-result-title">Send Test Event</h2>
    <p id="test-result-message" role="status"></p>
    <p><a id="test-result-link" href="#">View the delivery</a></p>
    <form method="dialog"><button class="button button-primary" type="submit">Close</button></form>
  </dialog>`;
}
