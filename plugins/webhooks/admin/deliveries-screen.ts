import { HttpError, type PageContext } from '../../../core/plugin-sdk.js';
import { WebhookError } from '../errors.js';
import type { DeliveryDetail } from '../api.js';
import { dateTime, deliveryStatusBadge, isInFlight, nextAttemptAt, prettyJson, relativeTime, shortUrl } from './format.js';
import { CAPABILITY, MAX_TIME_MS, PAGES, pageUrl, queryInt, queryString, type ScreenDeps } from './shared.js';

// 'retrying' is a view of 'pending': deliveries attempted at least once and due again.
const STATUSES = ['pending', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;

export async function handleDeliveries(ctx: PageContext, deps: ScreenDeps): Promise<void> {
  const { api, admin } = deps;
  if (ctx.req.method === 'POST') {
    if (!ctx.current_user_can(CAPABILITY)) throw new HttpError(403, 'Sorry, you are not allowed to manage webhooks.');
    const id = Number.parseInt(api.ui.bodyString(ctx.req.body, 'delivery_id'), 10);
    ctx.check_admin_referer(`delivery-resend_${id}`);
    try {
      await admin.resend_delivery(id);
      ctx.add_notice('success', 'The delivery was queued to be sent again, with the same webhook-id.');
    } catch (error) {
      if (!(error instanceof WebhookError)) throw error;
      ctx.add_notice('error', error.message);
    }
    return ctx.redirect(pageUrl(api, PAGES.deliveries, { delivery: id }));
  }
  const deliveryId = queryInt(ctx, 'delivery');
  if (deliveryId !== undefined) return renderDetail(ctx, deps, deliveryId);
  return renderList(ctx, deps);
}

async function renderList(ctx: PageContext, { api, admin }: ScreenDeps): Promise<void> {
  const { ui } = api;
  const { html } = ui;
  const status = queryString(ctx, 'status');
  const event = queryString(ctx, 'event');
  const webhookId = queryInt(ctx, 'webhook_id');
  const query = ui.parseListQuery(ctx.req, { orderby: ['id'], defaultOrderby: 'id', defaultOrder: 'desc', perPage: 25 });
  const attemptedSince = queryInt(ctx, 'attempted_since', MAX_TIME_MS);
  const filter: DeliveryFilter = {
    status: (STATUSES as readonly string[]).includes(status) ? status : undefined,
    event: admin.wu_get_event_type(event) ? event : undefined,
    webhookId: webhookId !== undefined && (await admin.findWebhook(webhookId)) ? webhookId : undefined,
    attemptedSince: attemptedSince !== undefined && attemptedSince >= 0 ? attemptedSince : undefined,
    // is_test=0: real deliveries only — what the webhook's Deliveries figures count.
    isTest: queryString(ctx, 'is_test') === '0' ? false : undefined,
  };
  const { items, total } = await admin.list_deliveries({
    ...filter,
    ...(filter.status === 'retrying' ? { status: 'pending', attempted: true } : {}),
    limit: query.perPage,
    offset: query.offset,
  });
  const now = api.clock();
  const webhooks = (await admin.list_webhooks({ limit: 500, orderby: 'name', order: 'asc' })).items;
  const names = new Map(webhooks.map((w) => [w.id, w.name]));
  const table = ui.renderListTable({
    plural: 'deliveries',
    primary: 'msg_id',
    columns: [
      { key: 'msg_id', label: 'Delivery', cell: (d) => html`<a class="row-title" href="${pageUrl(api, PAGES.deliveries, { delivery: d.id })}"><code>${d.msg_id}</code></a>` },
      {
        key: 'webhook',
        label: 'Webhook',
        cell: (d) => (d.webhook_id === null ? html`<span title="${d.url}">${shortUrl(d.url, 32)}</span>` : html`<a href="${pageUrl(api, PAGES.edit, { id: d.webhook_id })}">${names.get(d.webhook_id) ?? `#${d.webhook_id}`}</a>`),
      },
      { key: 'event', label: 'Event', cell: (d) => html`<code>${d.event}</code>` },
      { key: 'status', label: 'Status', cell: (d) => deliveryStatusBadge(api.ui, d, now) },
      { key: 'attempts', label: 'Attempts', cell: (d) => d.attempts },
      { key: 'http', label: 'Last HTTP status', cell: (d) => d.last_http_status ?? '—' },
      { key: 'created', label: 'Created', cell: (d) => html`<time datetime="${new Date(d.created_at).toISOString()}">${relativeTime(d.created_at, now)}</time>` },
      {
        key: 'next',
        label: 'Next attempt',
        cell: (d) => (isInFlight(d, now) ? 'Sending now' : nextAttemptAt(d, now) !== null ? relativeTime(nextAttemptAt(d, now)!, now) : '—'),
      },
    ],
    rows: items,
    total,
    query,
    rowId: (d) => d.id,
    baseUrl: ctx.req.originalUrl,
    empty: html`<p>No deliveries${filter.status || filter.event || filter.webhookId || filter.attemptedSince !== undefined || filter.isTest !== undefined ? ' match these filters' : ' yet'}.</p>`,
  });
  await ctx.renderHtml(
    html`<h1>Deliveries</h1>
    <form method="get" action="/wp-admin/network/admin.php" class="filters" role="search" aria-label="Filter deliveries">
      <input type="hidden" name="page" value="${PAGES.deliveries}">
      ${
        filter.attemptedSince !== undefined
          ? html`<p class="filter-note">Attempted since ${dateTime(filter.attemptedSince)}. <a href="${filteredUrl(api, filter, 'attempted_since')}">Any time</a>
            <input type="hidden" name="attempted_since" value="${filter.attemptedSince}"></p>`
          : ''
      }
      ${
        filter.isTest === false
          ? html`<p class="filter-note">Test sends are not shown (they count in no figure). <a href="${filteredUrl(api, filter, 'is_test')}">Show test sends too</a>
            <input type="hidden" name="is_test" value="0"></p>`
          : ''
      }
      <p><label for="filter-status">Status</label><select id="filter-status" name="status"><option value="">All statuses</option>${STATUSES.map(
        (s) => html`<option value="${s}"${filter.status === s ? html` selected` : ''}>${s[0]!.toUpperCase() + s.slice(1)}</option>`,
      )}</select></p>
      <p><label for="filter-webhook">Webhook</label><select id="filter-webhook" name="webhook_id"><option value="">All webhooks</option>${webhooks.map(
        (w) => html`<option value="${w.id}"${filter.webhookId === w.id ? html` selected` : ''}>${w.name}</option>`,
      )}</select></p>
      <p><label for="filter-event">Event</label><select id="filter-event" name="event"><option value="">All events</option>${admin
        .wu_get_event_types()
        .map((t) => html`<option value="${t.slug}"${filter.event === t.slug ? html` selected` : ''}>${t.name} (${t.slug})</option>`)}</select></p>
      <p><button type="submit" class="button">Filter</button></p>
    </form>
    ${table}`,
    { title: 'Deliveries' },
  );
}

/** The list's filters as read (an invalid value already dropped). */
interface DeliveryFilter {
  status?: string;
  event?: string;
  webhookId?: number;
  attemptedSince?: number;
  isTest?: false;
}

/**
 * The list's URL with every filter in force but `without`: a note's link ("Any time", "Show
 * test sends too") lifts its own filter and keeps the others — the admin who narrowed the list
 * to one webhook, status or event stays there. Back to the first page: the rows change.
 */
function filteredUrl(api: ScreenDeps['api'], filter: DeliveryFilter, without: 'attempted_since' | 'is_test'): string {
  const params: Record<string, string | number | undefined> = {
    status: filter.status,
    webhook_id: filter.webhookId,
    event: filter.event,
    attempted_since: filter.attemptedSince,
    is_test: filter.isTest === false ? 0 : undefined,
  };
  delete params[without];
  return pageUrl(api, PAGES.deliveries, Object.fromEntries(Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined)));
}

async function renderDetail(ctx: PageContext, { api, admin }: ScreenDeps, id: number): Promise<void> {
  const { html } = api.ui;
  let detail: DeliveryDetail;
  try {
    detail = await admin.get_delivery(id);
  } catch {
    throw new HttpError(404, 'That delivery does not exist (it may have been pruned).', 'Not Found');
  }
  const { delivery: d, attempts, body } = detail;
  const now = api.clock();
  const webhook = d.webhook_id === null ? undefined : await admin.findWebhook(d.webhook_id);
  const whyNot = d.status !== 'pending' && !d.is_test ? await admin.whyNotSendable(d.webhook_id) : null;
  const headersTable = (json: string | null) => {
    if (!json) return html`<p class="description">None.</p>`;
    const headers = JSON.parse(json) as Record<string, string>;
    return html`<table class="widefat striped"><tbody>${Object.entries(headers).map(([k, v]) => html`<tr><th scope="row"><code>${k}</code></th><td><code>${v}</code></td></tr>`)}</tbody></table>`;
  };
  await ctx.renderHtml(
    html`<h1>Delivery <code>${d.msg_id}</code></h1>
    <p><a href="${pageUrl(api, PAGES.deliveries, d.webhook_id ? { webhook_id: d.webhook_id } : {})}">« Back to deliveries</a></p>
    <section class="postbox" aria-labelledby="delivery-summary">
      <h2 id="delivery-summary">Summary</h2>
      <dl class="meta-list">
        <dt>Status</dt><dd>${deliveryStatusBadge(api.ui, d, now)}</dd>
        <dt>Webhook</dt><dd>${webhook ? html`<a href="${pageUrl(api, PAGES.edit, { id: webhook.id })}">${webhook.name}</a>` : 'None (ad-hoc test)'}</dd>
        <dt>Event</dt><dd><code>${d.event}</code></dd>
        <dt>URL</dt><dd><code>${d.url}</code></dd>
        <dt>Attempts</dt><dd>${d.attempts}</dd>
        <dt>Created</dt><dd>${dateTime(d.created_at)}</dd>
        ${isInFlight(d, now) ? html`<dt>Next attempt</dt><dd>Sending now</dd>` : nextAttemptAt(d, now) !== null ? html`<dt>Next attempt</dt><dd>${dateTime(nextAttemptAt(d, now)!)} (${relativeTime(nextAttemptAt(d, now)!, now)})</dd>` : ''}
        ${d.last_error ? html`<dt>Last error</dt><dd>${d.last_error}</dd>` : ''}
      </dl>
      ${
        d.status !== 'pending' && !d.is_test && whyNot !== null
          ? html`<p class="description">Cannot be resent: ${whyNot}</p>`
          : ''
      }
      ${
        d.status !== 'pending' && !d.is_test && whyNot === null
          ? html`<form method="post" action="${pageUrl(api, PAGES.deliveries)}">
            ${ctx.wp_nonce_field(`delivery-resend_${d.id}`)}
            <input type="hidden" name="delivery_id" value="${d.id}">
            <p><button type="submit" class="button button-primary">Resend</button> <span class="description">Sends it once more now, with the same <code>webhook-id</code>.</span></p>
          </form>`
          : ''
      }
    </section>
    <h2>Request body</h2>
    <pre tabindex="0">${prettyJson(body)}</pre>
    <h2>Attempts</h2>
    ${
      attempts.length
        ? attempts.map(
            (a, i) => html`<section class="attempt" aria-labelledby="attempt-${a.id}">
            <h3 id="attempt-${a.id}">Attempt ${i + 1} — ${a.trigger} — ${a.success ? html`<span class="badge badge-success">Succeeded</span>` : html`<span class="badge badge-error">Failed</span>`}</h3>
            <dl class="meta-list">
              <dt>Time</dt><dd>${dateTime(a.attempted_at)}</dd>
              <dt>Duration</dt><dd>${a.duration_ms} ms</dd>
              <dt>Response status</dt><dd>${a.response_status ?? '—'}</dd>
              ${a.error_message ? html`<dt>Error</dt><dd>${a.error_class ? html`<code>${a.error_class}</code> ` : ''}${a.error_message}</dd>` : ''}
            </dl>
            <details><summary>Request headers</summary>${headersTable(a.request_headers)}</details>
            <details><summary>Response headers</summary>${headersTable(a.response_headers)}</details>
            <details${a.success ? '' : html` open`}><summary>Response body</summary><pre tabindex="0">${a.response_body ?? ''}</pre></details>
          </section>`,
          )
        : html`<p>No attempt yet${isInFlight(d, now) ? html` — the first is being sent now` : nextAttemptAt(d, now) !== null ? html` — the first is due ${relativeTime(nextAttemptAt(d, now)!, now)}` : ''}.</p>`
    }`,
    { title: `Delivery ${d.msg_id}` },
  );
}
