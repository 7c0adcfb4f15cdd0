import { isUtf8 } from 'node:buffer';
import { HttpError, type PageContext } from '../../../core/plugin-sdk.js';
import { boundedPrettyJson, dateTime, PRETTY_LIMITS, relativeTime } from './format.js';
import { CAPABILITY, PAGES, pageUrl, queryString, type ScreenDeps } from './shared.js';
import { MAX_ID } from '../model/webhook.js';

/** Requests shown per page of an inbox: the page's cost is bounded whatever was received. */
export const INSPECTOR_PER_PAGE = 10;

const BADGES = { valid: 'badge-success', stale: 'badge-warning', invalid: 'badge-error', unknown: 'badge-warning', unsigned: '' } as const;
const LABELS = { valid: 'signature valid', stale: 'timestamp stale', invalid: 'signature invalid', unknown: 'unknown webhook-id', unsigned: 'not signed' } as const;

/** Webhooks → Request Inspector: inboxes served by the host, and what they received. */
export async function handleInspector(ctx: PageContext, { api, admin }: ScreenDeps): Promise<void> {
  const { html, bodyString } = api.ui;
  const inspector = admin.inspector;
  const screenUrl = pageUrl(api, PAGES.inspector);
  if (ctx.req.method === 'POST') {
    if (!ctx.current_user_can(CAPABILITY)) throw new HttpError(403, 'Sorry, you are not allowed to manage webhooks.');
    const action = bodyString(ctx.req.body, 'action');
    if (action === 'create') {
      ctx.check_admin_referer('inspector-create');
      const inbox = await inspector.createInbox(ctx.user.id);
      ctx.add_notice('success', `Inspector URL created: ${inbox.url} — it receives requests until ${dateTime(inbox.expires_at)}.`);
      return ctx.redirect(pageUrl(api, PAGES.inspector, { inbox: inbox.token }));
    }
    const token = bodyString(ctx.req.body, 'token');
    ctx.check_admin_referer(`inspector-delete_${token}`);
    await inspector.store.deleteInbox(token);
    ctx.add_notice('success', 'Inspector URL deleted.');
    return ctx.redirect(screenUrl);
  }
  await inspector.store.deleteExpired(api.clock());
  if (queryString(ctx, 'action') === 'confirm-delete') {
    // Deleting an inbox loses what it received: ask first, like every delete.
    const token = queryString(ctx, 'token');
    const inbox = await inspector.inbox(token);
    if (!inbox) throw new HttpError(404, 'That inspector URL does not exist or has expired.', 'Not Found');
    return ctx.renderHtml(
      html`<h1>Delete Inspector URL</h1>
      <div class="danger-zone">
        <p>You are about to delete the inspector URL <code>${inspector.urlOf(token)}</code> and the requests it received. Webhooks pointing at it will fail. This cannot be undone.</p>
        <form method="post" action="${screenUrl}">${ctx.wp_nonce_field(`inspector-delete_${token}`)}<input type="hidden" name="action" value="delete"><input type="hidden" name="token" value="${token}">
          <p><button type="submit" class="button button-primary delete">Yes, Delete Inspector URL</button>
          <a class="button" href="${api.ui.returnUrl(ctx.req, screenUrl)}">Cancel</a></p>
        </form>
      </div>`,
      { title: 'Delete Inspector URL' },
    );
  }
  const now = api.clock();
  const current = queryString(ctx, 'inbox');
  const selected = current ? await inspector.inbox(current) : undefined;
  if (current && !selected) throw new HttpError(404, 'That inspector URL does not exist or has expired.', 'Not Found');
  // "Show raw": one body, the bytes exactly as received — as plain text (never rendered as HTML)
  // when they are UTF-8, else as a download (no charset would show them as they are).
  const rawId = Number.parseInt(queryString(ctx, 'raw'), 10);
  if (selected && Number.isInteger(rawId)) {
    // Out of an id's range (PostgreSQL's integer): no such request, rather than a store error.
    const r = rawId >= 1 && rawId <= MAX_ID ? await inspector.store.request(selected.token, rawId) : undefined;
    if (!r) throw new HttpError(404, 'That request is no longer kept (only the newest are).', 'Not Found');
    const text = isUtf8(r.body);
    ctx.res
      .status(200)
      .type(text ? 'text/plain; charset=utf-8' : 'application/octet-stream')
      .set('content-disposition', text ? `inline; filename="request-${r.id}.txt"` : `attachment; filename="request-${r.id}.bin"`)
      .send(r.body);
    return;
  }
  const inboxes = await inspector.store.inboxes();
  ctx.enqueue_script(api.urls.asset_url('webhooks-admin.js'));
  const total = selected ? await inspector.store.countRequests(selected.token) : 0;
  const pages = Math.max(1, Math.ceil(total / INSPECTOR_PER_PAGE));
  const paged = Math.min(pages, Math.max(1, Number.parseInt(queryString(ctx, 'paged'), 10) || 1));
  const requests = selected ? await inspector.store.requests(selected.token, INSPECTOR_PER_PAGE, (paged - 1) * INSPECTOR_PER_PAGE) : [];
  const checks = await Promise.all(requests.map((r) => inspector.check(r)));
  const inboxUrl = (params: Record<string, string | number>) => pageUrl(api, PAGES.inspector, { inbox: selected!.token, ...params });
  const pagination =
    pages > 1
      ? html`<nav class="tablenav-pages" aria-label="Pages of received requests"><span class="displaying-num">${total} requests</span>
          ${paged > 1 ? html`<a class="button" href="${inboxUrl({ paged: paged - 1 })}">‹ Newer</a>` : ''}
          <span class="paging-input">Page ${paged} of ${pages}</span>
          ${paged < pages ? html`<a class="button" href="${inboxUrl({ paged: paged + 1 })}">Older ›</a>` : ''}</nav>`
      : '';
  await ctx.renderHtml(
    html`<h1>Request Inspector</h1>
    <p>An inspector URL is an inbox served by this host: point a webhook at it, send events, and see each request arrive here with its headers, its body and whether its signature verifies. Nothing leaves the host.</p>
    <form method="post" action="${screenUrl}">${ctx.wp_nonce_field('inspector-create')}<input type="hidden" name="action" value="create">
      <p><button type="submit" class="button button-primary">Create inspector URL</button></p>
    </form>
    ${
      inboxes.length
        ? html`<table class="widefat striped">
          <thead><tr><th scope="col">Inspector URL</th><th scope="col">Requests</th><th scope="col">Expires</th><th scope="col"><span class="screen-reader-text">Actions</span></th></tr></thead>
          <tbody>${inboxes.map(
            (i) => html`<tr${i.token === current ? html` class="current"` : ''}>
              <th scope="row"><input type="text" readonly class="large-text code" id="inbox-${i.token}" value="${inspector.urlOf(i.token)}" aria-label="Inspector URL"> <button type="button" class="button copy-button" data-copy-target="inbox-${i.token}" hidden>Copy</button></th>
              <td><a href="${pageUrl(api, PAGES.inspector, { inbox: i.token })}">${i.requests} request${i.requests === 1 ? '' : 's'}</a></td>
              <td>${relativeTime(i.expires_at, now)}</td>
              <td><a class="delete-link" href="${pageUrl(api, PAGES.inspector, { action: 'confirm-delete', token: i.token, from: ctx.req.originalUrl })}">Delete</a></td>
            </tr>`,
          )}</tbody></table>`
        : html`<p>No inspector URLs yet.</p>`
    }
    ${
      selected
        ? html`<h2>Received requests <span class="description">(newest first; the last ${inspector.settings.maxRequests} are kept)</span></h2>
          <p><a class="button" href="${ctx.req.originalUrl}">Refresh</a></p>
          ${pagination}
          ${
            requests.length
              ? requests.map((r, i) => {
                  const check = checks[i]!;
                  const headers = JSON.parse(r.headers) as Record<string, string>;
                  return html`<section class="attempt" aria-labelledby="req-${r.id}">
                    <h3 id="req-${r.id}">${r.method} — ${dateTime(r.received_at)} — <span class="badge ${BADGES[check.status]}">${LABELS[check.status]}</span></h3>
                    <p>${check.message}</p>
                    <dl class="meta-list">
                      <dt>From</dt><dd>${r.source_ip}</dd>
                      ${headers['x-hookpress-event'] ? html`<dt>Event</dt><dd><code>${headers['x-hookpress-event']}</code>${headers['x-hookpress-test'] ? ' (test)' : ''}</dd>` : ''}
                      ${headers['webhook-id'] ? html`<dt>webhook-id</dt><dd><code>${headers['webhook-id']}</code></dd>` : ''}
                    </dl>
                    <details><summary>Headers</summary><table class="widefat striped"><tbody>${Object.entries(headers).map(([k, v]) => html`<tr><th scope="row"><code>${k}</code></th><td><code>${v}</code></td></tr>`)}</tbody></table></details>
                    ${(() => {
                      const utf8 = isUtf8(r.body);
                      const shown = boundedPrettyJson(bodyForDisplay(r.body));
                      return html`<h4>Body <span class="description">(${r.body.length.toLocaleString('en-US')} bytes${utf8 ? '' : '; not valid UTF-8, shown with � where it is not'})</span></h4>
                      <pre tabindex="0">${shown.text}</pre>
                      ${shown.truncated ? html`<p class="description">Cut at ${PRETTY_LIMITS.maxChars.toLocaleString('en-US')} characters.</p>` : ''}
                      <p><a href="${inboxUrl({ raw: r.id })}">${utf8 ? 'Show raw body' : 'Download raw body'}</a></p>`;
                    })()}
                  </section>`;
                })
              : html`<p>Nothing received yet. Use this URL as a webhook's URL and click <strong>Send Test Event</strong>.</p>`
          }`
        : ''
    }`,
    { title: 'Request Inspector' },
  );
}

/**
 * A received body as the screen shows it: decoded as UTF-8 (bytes that are not become U+FFFD),
 * NUL as ␀ (U+2400), which an HTML page cannot carry. The raw view serves the exact bytes.
 */
function bodyForDisplay(body: Buffer): string {
  return body.toString('utf8').replaceAll('\u0000', '\u2400');
}
