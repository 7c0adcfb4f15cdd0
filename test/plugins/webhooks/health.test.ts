import { expect } from 'chai';
import { sparkline, attemptsChart, successSummary } from '../../../plugins/webhooks/admin/charts.js';
import { loginAgent } from '../../helpers/app.js';
import type { Kysely } from 'kysely';
import { fireStored, makeWebhooksApp, type WebhooksApp } from '../../helpers/webhooks.js';

const HOUR = 3_600_000;

describe('plugins/webhooks delivery health', () => {
  let w: WebhooksApp;
  beforeEach(async () => {
    w = await makeWebhooksApp();
    // Align the fake clock to the middle of an hour so buckets are easy to reason about.
    w.clock.now = Math.floor(w.clock.now / HOUR) * HOUR + HOUR / 2;
  });
  afterEach(() => w.hp.close());

  /** Writes attempts of `webhookId` straight into the log (api.db: either backend): [hoursAgo, outcome, durationMs]. */
  async function seed(webhookId: number, rows: Array<[number, 'success' | 'retrying' | 'failed', number]>): Promise<void> {
    await fireStored(w, 'payment_received', {});
    const delivery = (await w.api.async.list_deliveries({ webhookId, limit: 1 })).items[0]!;
    const db = w.hp.plugins.apiOf('webhooks')!.db as Kysely<any>;
    for (const [hoursAgo, outcome, ms] of rows) {
      await db
        .insertInto('webhook_attempts')
        .values({ delivery_id: delivery.id, webhook_id: webhookId, trigger: 'event', attempted_at: w.clock.now - hoursAgo * HOUR, request_url: 'http://x', request_headers: '{}', duration_ms: ms, success: outcome === 'success' ? 1 : 0, outcome })
        .execute();
    }
  }

  const hook = async (name: string) => await w.api.async.create_webhook({ name, url: 'http://127.0.0.1:9/x', event: 'payment_received' });
  const ui = () => w.hp.plugins.apiOf('webhooks')!.ui;

  it('counts outcomes per hour from the attempt log', async () => {
    const a = await hook('Counted');
    await seed(a.id, [[0, 'success', 10], [0, 'success', 20], [0, 'failed', 30], [1, 'retrying', 40], [30, 'success', 50]]);
    const since = Math.floor(w.clock.now / HOUR) * HOUR - 23 * HOUR;
    const buckets = await w.service.health.bucketsAsync(a.id, since, HOUR, 24);
    expect(buckets[23]).to.deep.equal({ success: 2, retrying: 0, failed: 1 });
    expect(buckets[22]).to.deep.equal({ success: 0, retrying: 1, failed: 0 });
    expect(buckets.reduce((n, b) => n + b.success + b.retrying + b.failed, 0), 'the 30-hour-old attempt is outside').to.equal(4);
    expect(successSummary(buckets, 'last 24 hours')).to.equal('Last 24 hours: 50% success (2 of 4 attempts).');
    expect(await w.service.health.latencyAsync(a.id, since)).to.deep.equal({ p50: 30, p95: 40, n: 4 });
  });

  it('renders sparklines with a text alternative, including the empty and all-failure cases', async () => {
    const ok = await hook('All good');
    const bad = await hook('All bad');
    const empty = await hook('Nothing yet');
    await seed(ok.id, [[0, 'success', 5], [2, 'success', 5]]);
    await seed(bad.id, [[0, 'failed', 5], [1, 'failed', 5], [1, 'retrying', 5]]);
    const since = Math.floor(w.clock.now / HOUR) * HOUR - 23 * HOUR;
    const many = await w.service.health.bucketsManyAsync([ok.id, bad.id, empty.id], since, HOUR, 24);
    const okSvg = sparkline(ui(), many.get(ok.id)!).value;
    expect(okSvg).to.include('aria-label="Last 24 hours: 100% success (2 of 2 attempts)."').and.include('fill="#00a32a"');
    const badSvg = sparkline(ui(), many.get(bad.id)!).value;
    expect(badSvg).to.include('0% success (0 of 3 attempts)').and.include('fill="#d63638"').and.not.include('#00a32a');
    expect(sparkline(ui(), many.get(empty.id)!).value).to.include('No attempts in the last 24 hours.');
  });

  it('shows sparklines on the list, the 7-day chart and latency on the edit screen', async () => {
    const a = await hook('Charted');
    await seed(a.id, [[0, 'success', 12], [50, 'retrying', 30], [100, 'failed', 90]]);
    const agent = await loginAgent(w.hp);
    const list = await agent.get('/wp-admin/network/admin.php?page=webhooks');
    expect(list.text).to.include('Health (24 h)').and.include('100% success (1 of 1 attempts)');
    const edit = await agent.get(`/wp-admin/network/admin.php?page=webhooks-edit&id=${a.id}`);
    expect(edit.text).to.include('Last 7 days: 33% success (1 of 3 attempts).').and.include('p50 <strong>30 ms</strong>').and.include('p95 <strong>90 ms</strong>');
    expect(edit.text).to.include('Attempts per day (table)');
  });

  it('draws an empty chart without attempts', async () => {
    const since = w.clock.now - 168 * HOUR;
    const svg = attemptsChart(ui(), Array.from({ length: 168 }, () => ({ success: 0, retrying: 0, failed: 0 })), since, HOUR).value;
    expect(svg).to.include('No attempts in the last 7 days.').and.not.include('<rect');
  });

  it('puts deliveries, failures, pending retries and disabled endpoints on the dashboard, each linked', async () => {
    const a = await hook('Dash');
    await seed(a.id, [[0, 'success', 5], [0, 'failed', 5], [0, 'retrying', 5], [3, 'failed', 5]]);
    await w.service.webhooks.updateAsync((await hook('Gone')).id, { active: false, disabled_reason: 'gone' });
    await (w.hp.plugins.apiOf('webhooks')!.db as Kysely<any>).updateTable('webhook_deliveries').set({ attempts: 1 }).where('status', '=', 'pending').execute();
    const agent = await loginAgent(w.hp);
    const dash = await agent.get('/wp-admin/network/');
    const widget = dash.text.slice(dash.text.indexOf('id="webhooks-health"'));
    // Deliveries, not attempts: each count is what its link's list shows (see defects.test.ts).
    expect(widget).to.include('deliveries attempted in the last hour').and.include('page=webhooks-deliveries&amp;attempted_since=');
    expect(widget).to.include('failed in the last hour').and.include('page=webhooks-deliveries&amp;status=failed&amp;attempted_since=');
    expect(widget).to.include('<strong class="count-bad">1</strong> retrying').and.include('page=webhooks-deliveries&amp;status=retrying');
    expect(widget).to.include('<strong class="count-bad">1</strong> disabled endpoints').and.include('page=webhooks&amp;status=disabled');
  });
});
