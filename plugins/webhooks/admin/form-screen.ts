import { WebhookError } from '../errors.js';
import { HttpError, type PageContext, type SafeHtml } from '../../../core/plugin-sdk.js';
import { WebhookValidationError } from '../errors.js';
import type { EventType } from '../events/registry.js';
import { MAX_CUSTOM_HEADERS, MAX_NAME_LENGTH, MAX_URL_LENGTH, type Webhook, type WebhookHeader } from '../model/webhook.js';
import { maskHeaderValue } from '../rest/objects.js';
import { dateTime, deliveryStatusBadge, relativeTime, webhookStatusBadge } from './format.js';
import { testDialog } from './list-screen.js';
import { attemptsChart } from './charts.js';
import { savedDestinationWarning } from './destination-check.js';
import { CAPABILITY, PAGES, pageUrl, queryInt, type ScreenDeps } from './shared.js';

interface FormValues {
  name: string;
  url: string;
  event: string;
  active: boolean;
  hidden: boolean;
  headers: WebhookHeader[];
}

/** Blank header rows offered below the saved ones (without JavaScript there is no "add row"). */
const BLANK_HEADER_ROWS = 2;

/**
 * The custom headers fieldset: one row per saved header — its value never shown again, only
 * masked as a placeholder (an empty value keeps it) — plus blank rows for new ones.
 */
function headerRows(deps: ScreenDeps, typed: WebhookHeader[], saved: WebhookHeader[], error?: string): SafeHtml {
  const { html } = deps.api.ui;
  const rows = [...typed, ...Array.from({ length: BLANK_HEADER_ROWS }, () => ({ name: '', value: '' }))].slice(0, MAX_CUSTOM_HEADERS);
  return html`<tr class="form-field${error ? ' form-invalid' : ''}">
    <th scope="row">Custom headers</th>
    <td>
      <fieldset aria-describedby="headers-description${error ? ' headers-error' : ''}">
        <legend class="screen-reader-text">Custom headers</legend>
        <table class="custom-headers" role="presentation">
          ${rows.map((h, i) => {
            const savedValue = saved.find((x) => x.name.toLowerCase() === h.name.toLowerCase() && h.name);
            return html`<tr>
              <td><label for="header_name_${i}">Header name ${i + 1}</label><br><input type="text" id="header_name_${i}" name="header_name_${i}" value="${h.name}" class="regular-text code" autocomplete="off" spellcheck="false"></td>
              <td><label for="header_value_${i}">Value ${i + 1}</label><br><input type="text" id="header_value_${i}" name="header_value_${i}" value="${savedValue ? '' : h.value}" class="regular-text code" autocomplete="off" spellcheck="false"${savedValue ? html` placeholder="${maskHeaderValue(savedValue.value)} (saved; leave empty to keep)"` : ''}></td>
              ${savedValue ? html`<td><br><input type="checkbox" id="header_remove_${i}" name="header_remove_${i}" value="1"> <label for="header_remove_${i}">Remove</label></td>` : html`<td></td>`}
            </tr>`;
          })}
        </table>
      </fieldset>
      ${error ? html`<p class="field-error" id="headers-error">${error}</p>` : ''}
      <p class="description" id="headers-description">Extra request headers sent with every delivery, e.g. an <code>Authorization</code> the receiver wants. Hop-by-hop, <code>Content-*</code>, <code>Webhook-*</code> and <code>User-Agent</code> names are refused; values are visible ASCII text. Saved values are never shown again.</p>
    </td>
  </tr>`;
}

/** The headers a form posted; an empty value for a saved header's name keeps the saved value. */
function readHeaders(body: unknown, saved: WebhookHeader[]): WebhookHeader[] {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: WebhookHeader[] = [];
  for (let i = 0; i < MAX_CUSTOM_HEADERS + BLANK_HEADER_ROWS; i++) {
    const name = typeof b[`header_name_${i}`] === 'string' ? (b[`header_name_${i}`] as string).trim() : '';
    const value = typeof b[`header_value_${i}`] === 'string' ? (b[`header_value_${i}`] as string) : '';
    if (!name || b[`header_remove_${i}`] === '1') continue;
    const keep = saved.find((h) => h.name.toLowerCase() === name.toLowerCase());
    out.push({ name, value: value === '' && keep ? keep.value : value });
  }
  return out;
}

/** The event dropdown: grouped, "Label (slug)", every registered event. */
function eventSelect(deps: ScreenDeps, selected: string, error?: string): SafeHtml {
  const { html } = deps.api.ui;
  const groups = new Map<string, EventType[]>();
  for (const t of deps.admin.wu_get_event_types()) {
    const list = groups.get(t.group) ?? [];
    list.push(t);
    groups.set(t.group, list);
  }
  return html`<select id="event" name="event" required aria-required="true"${error ? html` aria-invalid="true" aria-describedby="event-error"` : html` aria-describedby="event-preview-desc"`}>
    <option value="">— Select an event —</option>
    ${[...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([group, types]) =>
          html`<optgroup label="${group}">${types
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((t) => html`<option value="${t.slug}"${t.slug === selected ? html` selected` : ''}>${t.name} (${t.slug})</option>`)}</optgroup>`,
      )}
  </select>${error ? html`<p class="field-error" id="event-error">${error}</p>` : ''}`;
}

/** The selected event's description and sample payload, server-rendered; the script keeps it live. */
function eventPreview(deps: ScreenDeps, slug: string): SafeHtml {
  const { html, raw } = deps.api.ui;
  const type = slug ? deps.admin.wu_get_event_type(slug) : undefined;
  const data: Record<string, { name: string; desc: string; sample: string }> = {};
  for (const t of deps.admin.wu_get_event_types()) data[t.slug] = { name: t.name, desc: t.desc, sample: JSON.stringify(t.sample(), null, 2) };
  // JSON in a data block is not executed (CSP allows it); "<" is escaped so it cannot end the block.
  const island = JSON.stringify(data).replace(/</g, '\\u003c');
  return html`<aside class="event-preview" aria-live="polite" aria-label="Selected event">
    <h2 id="event-preview-title">${type ? type.name : 'Event details'}</h2>
    <p id="event-preview-desc">${type ? type.desc : 'Choose an event to see what it means and what its payload looks like.'}</p>
    <h3>Sample payload</h3>
    <pre id="event-preview-sample" tabindex="0">${type ? JSON.stringify(type.sample(), null, 2) : '{}'}</pre>
    <p><a href="${pageUrl(deps.api, PAGES.events)}">All events and their payloads</a></p>
    <script type="application/json" id="webhook-events-data">${raw(island)}</script>
  </aside>`;
}

/** Where each field's error links to in the summary, and the label it goes by there. */
const FIELD_TARGETS: Record<string, [string, string]> = { name: ['name', 'Name'], url: ['url', 'URL'], event: ['event', 'Event'], headers: ['header_name_0', 'Custom headers'] };

/**
 * The error notice above the form: every field's error at once, each linking to its field
 * (whose own message sits next to it), so the admin fixes them all in one pass.
 */
function errorSummary(deps: ScreenDeps, lead: string, errors: Record<string, string>): SafeHtml | '' {
  const { html } = deps.api.ui;
  const entries = Object.entries(errors);
  if (!entries.length) return '';
  return html`<div class="notice notice-error" role="alert" id="webhook-form-errors">
    <p>${lead} Please correct ${entries.length === 1 ? 'the error' : `these ${entries.length} errors`} below.</p>
    <ul>${entries.map(([field, message]) => {
      const [target, label] = FIELD_TARGETS[field] ?? [field, field];
      return html`<li><a href="#${target}">${label}</a>: ${message}</li>`;
    })}</ul>
  </div>`;
}

function fields(deps: ScreenDeps, v: FormValues, errors: Record<string, string>, withActive: boolean, saved: WebhookHeader[] = []): SafeHtml {
  const { html, formField } = deps.api.ui;
  return html`<table class="form-table" role="presentation">
    ${formField({ id: 'name', label: 'Name', value: v.name, error: errors.name, required: true, maxLength: MAX_NAME_LENGTH, description: 'For your reference only, e.g. “Mailing list sync”.' })}
    ${formField({
      id: 'url',
      label: 'URL',
      type: 'url',
      value: v.url,
      error: errors.url,
      required: true,
      maxLength: MAX_URL_LENGTH,
      className: 'large-text',
      description: 'The endpoint that receives the payloads (a Zapier “Catch Hook” URL, your own function, a request inspector…).',
    })}
    <tr class="form-field form-required${errors.event ? ' form-invalid' : ''}">
      <th scope="row"><label for="event">Event</label></th>
      <td>${eventSelect(deps, v.event, errors.event)}</td>
    </tr>
    ${
      withActive
        ? html`<tr><th scope="row">Status</th><td><input type="checkbox" id="active" name="active" value="1"${v.active ? html` checked` : ''}> <label for="active">Active — deliver events to this URL</label></td></tr>`
        : ''
    }
    ${
      withActive
        ? html`<tr><th scope="row">Visibility</th><td><input type="checkbox" id="hidden" name="hidden" value="1"${v.hidden ? html` checked` : ''}> <label for="hidden">Hidden — list it only under the Hidden filter</label></td></tr>`
        : ''
    }
    ${headerRows(deps, v.headers, saved, errors.headers)}
  </table>`;
}

function readForm(ctx: PageContext, deps: ScreenDeps, saved: WebhookHeader[] = []): FormValues {
  const { bodyString } = deps.api.ui;
  return {
    name: bodyString(ctx.req.body, 'name'),
    url: bodyString(ctx.req.body, 'url'),
    event: bodyString(ctx.req.body, 'event'),
    active: bodyString(ctx.req.body, 'active') === '1',
    hidden: bodyString(ctx.req.body, 'hidden') === '1',
    headers: readHeaders(ctx.req.body, saved),
  };
}

export async function handleAdd(ctx: PageContext, deps: ScreenDeps): Promise<void> {
  const { api, admin } = deps;
  const { html, bodyString } = api.ui;
  let values: FormValues = { name: '', url: '', event: String(ctx.req.query.event ?? ''), active: true, hidden: false, headers: [] };
  let errors: Record<string, string> = {};
  let inspectorNote = '';
  if (ctx.req.method === 'POST' && bodyString(ctx.req.body, 'use_inspector') === '1') {
    // "Use this URL": a fresh inbox of the built-in inspector fills the URL field.
    ctx.check_admin_referer('add-webhook');
    values = { ...readForm(ctx, deps), active: true };
    const inbox = await admin.inspector.createInbox(ctx.user.id);
    values.url = inbox.url;
    inspectorNote = inbox.token;
  } else if (ctx.req.method === 'POST') {
    ctx.check_admin_referer('add-webhook');
    values = { ...readForm(ctx, deps), active: true };
    try {
      const w = await admin.create_webhook({ name: values.name, url: values.url, event: values.event, active: true, integration: 'manual', headers: values.headers });
      ctx.add_notice('success', `Webhook “${w.name}” added. It is active: every “${admin.wu_get_event_type(w.event)?.name ?? w.event}” event is now sent to its URL. Try Send Test Event.`);
      const warning = await savedDestinationWarning(admin, w.url);
      if (warning) ctx.add_notice('warning', warning.message);
      return ctx.redirect(pageUrl(api, PAGES.edit, { id: w.id }));
    } catch (error) {
      if (!(error instanceof WebhookValidationError)) throw error;
      errors = error.fields;
    }
  }
  ctx.enqueue_script(api.urls.asset_url('webhooks-admin.js'));
  await ctx.renderHtml(
    html`<h1>Add New Webhook</h1>
    ${errorSummary(deps, 'The webhook was not saved.', errors)}
    <div class="two-columns">
      <form method="post" action="${pageUrl(api, PAGES.add)}" novalidate id="webhook-form">
        ${ctx.wp_nonce_field('add-webhook')}
        <!-- Enter in a field submits with the first submit button: make it "Add New Webhook". -->
        <button type="submit" class="screen-reader-text" tabindex="-1" aria-hidden="true">Add New Webhook</button>
        ${fields(deps, values, errors, false)}
        ${
          inspectorNote
            ? html`<div class="notice notice-info" role="status"><p>The URL field now holds a fresh inspector URL of this host. After saving, send a test event and watch it arrive in the <a href="${pageUrl(api, PAGES.inspector, { inbox: inspectorNote })}">Request Inspector</a>.</p></div>`
            : html`<p class="description">No endpoint yet? This host can receive the payloads for you and show them, signature checked:
              <button type="submit" name="use_inspector" value="1" class="button" formnovalidate>Use this URL</button></p>`
        }
        <p class="submit"><button type="submit" class="button button-primary">Add New Webhook</button></p>
      </form>
      ${eventPreview(deps, values.event)}
    </div>`,
    { title: 'Add New Webhook', status: Object.keys(errors).length ? 422 : 200 },
  );
}

async function loadWebhook(ctx: PageContext, deps: ScreenDeps): Promise<Webhook> {
  try {
    return await deps.admin.get_webhook(queryInt(ctx, 'id') ?? 0);
  } catch {
    throw new HttpError(404, 'That webhook does not exist (it may have been deleted).', 'Not Found');
  }
}

export async function handleEdit(ctx: PageContext, deps: ScreenDeps): Promise<void> {
  const { api, admin } = deps;
  const { html, bodyString } = api.ui;
  const webhook = await loadWebhook(ctx, deps);
  const editUrl = pageUrl(api, PAGES.edit, { id: webhook.id });
  let values: FormValues = { name: webhook.name, url: webhook.url, event: webhook.event, active: webhook.active, hidden: webhook.hidden, headers: webhook.headers };
  let errors: Record<string, string> = {};
  if (ctx.req.method === 'POST') {
    if (!ctx.current_user_can(CAPABILITY)) throw new HttpError(403, 'Sorry, you are not allowed to manage webhooks.');
    const action = bodyString(ctx.req.body, 'action');
    ctx.check_admin_referer(`webhook-${action}_${webhook.id}`);
    if (action === 'save') {
      values = readForm(ctx, deps, webhook.headers);
      try {
        const saved = await admin.update_webhook(webhook.id, values);
        ctx.add_notice('success', 'Webhook updated.');
        const warning = await savedDestinationWarning(admin, saved.url);
        if (warning) ctx.add_notice('warning', warning.message);
        return ctx.redirect(editUrl);
      } catch (error) {
        if (!(error instanceof WebhookValidationError)) throw error;
        errors = error.fields;
      }
    } else if (action === 'rotate') {
      // Only one previous secret is kept: rotating again inside its grace drops it at once, so
      // ask first then (a rotation with no secret in its grace breaks nothing and goes ahead).
      const graceEnds = webhook.previous_secret_expires;
      if (graceEnds && graceEnds > api.clock() && bodyString(ctx.req.body, 'confirmed') !== '1') {
        return api.ui.renderPostConfirmation(ctx, {
          title: 'Rotate Secret Again',
          message: html`The secret before the current one is still valid until ${dateTime(graceEnds)}, and only one previous secret is kept. Rotating now replaces it: a receiver still verifying with it fails at once. The current secret stays valid for 24 hours.`,
          actionUrl: editUrl,
          nonceAction: `webhook-rotate_${webhook.id}`,
          fields: { action: 'rotate' },
          confirmLabel: 'Yes, Rotate Secret',
          cancelUrl: editUrl,
        });
      }
      await admin.rotate_secret(webhook.id);
      ctx.add_notice('success', 'A new signing secret was generated. The previous one stays valid for 24 hours: deliveries carry both signatures until then.');
      return ctx.redirect(editUrl);
    } else if (action === 'recover') {
      const since = Date.parse(`${bodyString(ctx.req.body, 'since')}Z`);
      if (Number.isNaN(since)) {
        ctx.add_notice('error', 'Enter the date and time from which to recover failed deliveries.');
      } else {
        try {
          const n = await admin.recover_failed_deliveries(webhook.id, since);
          ctx.add_notice('success', n ? `${n} failed deliver${n === 1 ? 'y was' : 'ies were'} queued to be sent again.` : 'No failed deliveries since that time.');
        } catch (error) {
          if (!(error instanceof WebhookError)) throw error;
          ctx.add_notice('error', error.message);
        }
      }
      return ctx.redirect(editUrl);
    } else {
      ctx.add_notice('error', 'Unknown action.');
      return ctx.redirect(editUrl);
    }
  }
  const fresh = await admin.get_webhook(webhook.id);
  const now = api.clock();
  const recent = (await admin.list_deliveries({ webhookId: webhook.id, limit: 10 })).items;
  const HOUR = 3_600_000;
  const chartSince = Math.floor(now / HOUR) * HOUR - 167 * HOUR;
  const buckets = await admin.health.buckets(webhook.id, chartSince, HOUR, 168);
  const latency = await admin.health.latency(webhook.id, chartSince);
  const type = admin.wu_get_event_type(fresh.event);
  const actionFields = (action: string) => html`${ctx.wp_nonce_field(`webhook-${action}_${webhook.id}`)}<input type="hidden" name="action" value="${action}">`;
  ctx.enqueue_script(api.urls.asset_url('webhooks-admin.js'));
  await ctx.renderHtml(
    html`<h1>Edit Webhook <a href="${pageUrl(api, PAGES.add)}" class="page-title-action button">Add New Webhook</a></h1>
    ${webhook.integration !== 'manual' ? html`<p class="description">Created by the ${webhook.integration} integration: it may delete this webhook when it unsubscribes.</p>` : ''}
    ${errorSummary(deps, 'The changes were not saved.', errors)}
    <div class="two-columns">
      <div>
        <form method="post" action="${editUrl}" novalidate id="webhook-form">
          ${actionFields('save')}
          ${fields(deps, values, errors, true, webhook.headers)}
          <p class="submit"><button type="submit" class="button button-primary">Save Changes</button></p>
        </form>

        <h2>Test</h2>
        <form method="post" action="${pageUrl(api, PAGES.list)}" data-send-test="1">
          ${ctx.wp_nonce_field(`webhook-test_${webhook.id}`)}
          <input type="hidden" name="action" value="test"><input type="hidden" name="webhook_id" value="${webhook.id}">
          <input type="hidden" name="redirect_to" value="${editUrl}">
          <p>Posts a sample “${type?.name ?? fresh.event}” payload, signed and marked as a test, to the URL.</p>
          <p><button type="submit" class="button">Send Test Event</button></p>
        </form>

        <h2>Signing secret</h2>
        <div class="secret-box">
          <p>Every request is signed (Standard Webhooks: <code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>). Verify it with this secret, e.g. with the <code>standardwebhooks</code> or <code>svix</code> libraries.</p>
          <details>
            <summary>Reveal secret</summary>
            <p><label for="signing-secret">Secret</label><br><input type="text" id="signing-secret" readonly value="${fresh.secret}"> <button type="button" class="button copy-button" data-copy-target="signing-secret" hidden>Copy</button></p>
          </details>
          ${
            fresh.previous_secret_expires && fresh.previous_secret_expires > now
              ? html`<p class="description">The previous secret is still valid until ${dateTime(fresh.previous_secret_expires)}; deliveries carry both signatures until then.</p>`
              : ''
          }
          <form method="post" action="${editUrl}">
            ${actionFields('rotate')}
            <p><button type="submit" class="button">Rotate secret</button></p>
            <p class="description">Rotating generates a new secret at once. The previous secret stays valid for 24 hours, so you can update your receiver without missing a delivery.</p>
          </form>
        </div>
      </div>
      <div>
        <section class="postbox" aria-labelledby="webhook-status-title">
          <h2 id="webhook-status-title">Status</h2>
          <dl class="meta-list">
            <dt>Status</dt><dd>${webhookStatusBadge(api.ui, fresh)}</dd>
            <dt>Deliveries</dt><dd>${await deliveryTotals(api, admin, fresh.id)}</dd>
            <dt>Last delivery</dt><dd>${fresh.last_delivery_at === null ? 'Never' : html`${fresh.last_status === 'success' ? 'Succeeded' : 'Failed'}${fresh.last_http_status ? ` (HTTP ${fresh.last_http_status})` : ''}, ${relativeTime(fresh.last_delivery_at, now)}`}</dd>
            ${fresh.failing_since ? html`<dt>Failing since</dt><dd>${dateTime(fresh.failing_since)}</dd>` : ''}
            <dt>Created</dt><dd>${dateTime(fresh.created_at)}</dd>
            <dt>Updated</dt><dd>${dateTime(fresh.updated_at)}</dd>
          </dl>
        </section>
      </div>
    </div>

    <h2>Delivery health</h2>
    ${attemptsChart(api.ui, buckets, chartSince, HOUR)}
    <p>${latency ? html`Latency over ${latency.n} attempts: p50 <strong>${latency.p50} ms</strong>, p95 <strong>${latency.p95} ms</strong>.` : 'No attempts in the last 7 days.'}</p>

    <h2>Recent deliveries</h2>
    ${
      recent.length
        ? html`<table class="widefat striped">
          <thead><tr><th scope="col">Delivery</th><th scope="col">Status</th><th scope="col">Time</th><th scope="col">Attempts</th><th scope="col">HTTP</th></tr></thead>
          <tbody>${recent.map(
            (d) => html`<tr>
              <th scope="row"><a href="${pageUrl(api, PAGES.deliveries, { delivery: d.id })}"><code>${d.msg_id}</code></a></th>
              <td>${deliveryStatusBadge(api.ui, d, now)}</td>
              <td><time datetime="${new Date(d.created_at).toISOString()}">${relativeTime(d.created_at, now)}</time></td>
              <td>${d.attempts}</td>
              <td>${d.last_http_status ?? '—'}</td>
            </tr>`,
          )}</tbody></table>
          <p><a href="${pageUrl(api, PAGES.deliveries, { webhook_id: webhook.id })}">View all deliveries of this webhook</a></p>`
        : html`<p>No deliveries yet. Use <strong>Send Test Event</strong> to try the endpoint.</p>`
    }

    <h2>Recover failed deliveries</h2>
    <form method="post" action="${editUrl}" class="filters">
      ${actionFields('recover')}
      <p><label for="recover-since">Failed since (UTC)</label><input type="datetime-local" id="recover-since" name="since" required value="${new Date(now - 24 * 3_600_000).toISOString().slice(0, 16)}"></p>
      <p><button type="submit" class="button">Recover failed deliveries</button></p>
    </form>

    <h2>Danger zone</h2>
    <div class="danger-zone">
      <p>Deleting a webhook removes its delivery log and stops its pending retries.</p>
      <p><a class="button delete" href="${pageUrl(api, PAGES.list, { action: 'confirm-delete', id: webhook.id, from: editUrl })}">Delete Webhook</a></p>
    </div>
    ${testDialog(api)}`,
    { title: 'Edit Webhook', status: Object.keys(errors).length ? 422 : 200 },
  );
}

/**
 * "N deliveries (M attempts)", N linked to the deliveries list of this webhook, which shows
 * exactly those N (the chart below counts attempts, so both numbers are named).
 */
async function deliveryTotals(api: ScreenDeps['api'], admin: ScreenDeps['admin'], webhookId: number): Promise<SafeHtml> {
  const { html } = api.ui;
  const t = await admin.deliveryLog.totalsOf(webhookId);
  return html`<a href="${pageUrl(api, PAGES.deliveries, { webhook_id: webhookId, is_test: 0 })}"><strong>${t.deliveries}</strong> ${t.deliveries === 1 ? 'delivery' : 'deliveries'}</a> (${t.attempts} ${t.attempts === 1 ? 'attempt' : 'attempts'})`;
}
