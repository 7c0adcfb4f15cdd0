import type { PageContext } from '../../../core/plugin-sdk.js';
import { PAGES, pageUrl, type ScreenDeps } from './shared.js';

/** Every registered event type with its description and sample payload: the guide's promised list. */
export async function renderEvents(ctx: PageContext, { api, admin }: ScreenDeps): Promise<void> {
  const { html } = api.ui;
  const types = admin.wu_get_event_types().sort((a, b) => a.group.localeCompare(b.group) || a.name.localeCompare(b.name));
  ctx.enqueue_script(api.urls.asset_url('webhooks-admin.js'));
  await ctx.renderHtml(
    html`<h1>Events</h1>
    <p>Every event a webhook can listen to, with what it means and an example of its payload. Payloads are JSON objects with flat keys; every payload also carries <code>hookpress_version</code>. Plugins can register more events.</p>
    <nav aria-label="Events"><ul class="subsubsub">${types.map((t, i) => html`<li>${i ? '| ' : ''}<a href="#event-${t.slug}">${t.name}</a></li>`)}</ul></nav>
    ${types.map((t) => {
      const sample = JSON.stringify(t.sample(), null, 2);
      return html`<section class="event-card" id="event-${t.slug}" aria-labelledby="event-${t.slug}-title">
        <h2 id="event-${t.slug}-title">${t.name} <code>${t.slug}</code></h2>
        <dl class="meta-list">
          <dt>Description</dt><dd>${t.desc}</dd>
          <dt>Group</dt><dd>${t.group}</dd>
          <dt>Registered by</dt><dd>${t.source}</dd>
          ${t.hook ? html`<dt>Fired by</dt><dd>the action <code>${t.hook.action}</code></dd>` : ''}
        </dl>
        <h3 id="event-${t.slug}-sample-title">Sample payload <button type="button" class="button copy-button" data-copy-target="event-${t.slug}-sample" hidden>Copy</button></h3>
        <pre id="event-${t.slug}-sample" tabindex="0" aria-labelledby="event-${t.slug}-sample-title">${sample}</pre>
        <p><a class="button" href="${pageUrl(api, PAGES.add, { event: t.slug })}">Add a webhook for this event</a></p>
      </section>`;
    })}`,
    { title: 'Events' },
  );
}
