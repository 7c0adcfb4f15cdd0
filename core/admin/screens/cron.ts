import { html } from '../../http/html.js';
import { bodyString } from '../form.js';
import type { Screen } from '../routes.js';

const CRON = '/wp-admin/network/cron.php';

/** Tools → Scheduled Events: what WP-Cron will run and when, with "Run now". */
export const cronScreen: Screen = {
  capability: 'manage_network_options',
  id: 'cron-network',
  async handle(ctx, { host }) {
    const { req } = ctx;
    if (req.method === 'POST') {
      const id = Number.parseInt(bodyString(req.body, 'event_id'), 10);
      ctx.check_admin_referer(`run-cron_${id}`);
      const event = host.cron.list().find((e) => e.id === id);
      if (event && (await host.cron.runNow(id))) ctx.add_notice('success', `Ran “${event.hook}” now.`);
      else ctx.add_notice('error', 'That scheduled event no longer exists.');
      return ctx.redirect(CRON);
    }
    const now = Math.floor(host.config.clock() / 1000);
    const schedules = host.cron.wp_get_schedules();
    const events = host.cron.list();
    const when = (t: number) => `${new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC${t <= now ? ' (due)' : ''}`;
    await ctx.renderHtml(
      html`<h1>Scheduled Events</h1>
      <p>Events run by the host's scheduler (WordPress's cron API). An event that fell due while the host was down runs once when it starts again.</p>
      <table class="wp-list-table widefat striped">
        <thead><tr><th scope="col">Hook</th><th scope="col">Arguments</th><th scope="col">Next run</th><th scope="col">Recurrence</th><th scope="col"><span class="screen-reader-text">Actions</span></th></tr></thead>
        <tbody>${
          events.length
            ? events.map(
                (e) => html`<tr>
                <th scope="row"><code>${e.hook}</code></th>
                <td><code>${JSON.stringify(e.args)}</code></td>
                <td>${when(e.timestamp)}</td>
                <td>${e.schedule ? schedules[e.schedule]?.display ?? e.schedule : 'Once'}</td>
                <td><form method="post" action="${CRON}" class="inline-form">${ctx.wp_nonce_field(`run-cron_${e.id}`)}<input type="hidden" name="event_id" value="${e.id}"><button type="submit" class="button" aria-label="Run now: ${e.hook}">Run now</button></form></td>
              </tr>`,
              )
            : html`<tr><td colspan="5">No scheduled events.</td></tr>`
        }</tbody>
      </table>`,
      { title: 'Scheduled Events' },
    );
  },
};
