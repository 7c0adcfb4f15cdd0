/**
 * bench/health — the health charts' queries on a log of 1,000,000 attempts.
 *   npm run bench:health
 * Times each query (best of 5) with its covering index and, as the baseline in the same run,
 * the same query forced to scan the table (NOT INDEXED), and prints the ratio.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApp } from '../core/app.js';
import { PROJECT_ROOT } from '../core/config.js';
import { engineOf, type WebhooksApi } from '../plugins/webhooks/index.js';
import type { WebhooksService } from '../plugins/webhooks/service.js';

const ATTEMPTS = process.argv.includes('--quick') ? 200_000 : 1_000_000;
const WEBHOOKS = 100;
const HOUR = 3_600_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-health-'));
const hp = await createApp({
  dataDir: dir,
  logLevel: 'silent',
  passwordCost: 1024,
  adminPassword: 'bench password',
  pluginsDir: path.join(PROJECT_ROOT, 'plugins'),
  pluginSlugs: ['webhooks', 'memberships'],
  runScheduler: false,
  plugins: { webhooks: { autoStart: false } },
});
const service = engineOf(hp.host.services.get('webhooks')!.service as WebhooksApi)!;
const ids = Array.from({ length: WEBHOOKS }, (_, i) => service.create_webhook({ name: `Hook ${i}`, url: `https://example.com/${i}`, event: 'payment_received' }).id);
service.wu_do_event('payment_received', {});
const delivery = service.list_deliveries({ limit: 1 }).items[0]!;
const now = Date.now();
const t0 = performance.now();
const insert = hp.db.prepare(
  "INSERT INTO webhook_attempts (delivery_id, webhook_id, trigger, attempted_at, request_url, request_headers, duration_ms, success, outcome) VALUES (?, ?, 'event', ?, 'https://example.com', '{}', ?, ?, ?)",
);
hp.db.transaction(() => {
  for (let i = 0; i < ATTEMPTS; i++) {
    // Half the log belongs to one busy webhook; the rest is spread over the others, over 30 days.
    const webhook = i % 2 === 0 ? ids[0]! : ids[1 + (i % (WEBHOOKS - 1))]!;
    const r = (i * 2654435761) % 1000;
    const outcome = r < 900 ? 'success' : r < 960 ? 'retrying' : 'failed';
    insert.run(delivery.id, webhook, now - ((i * 7919) % (30 * 24 * HOUR)), 20 + (r % 400), outcome === 'success' ? 1 : 0, outcome);
  }
})();
hp.db.exec('ANALYZE');
console.log(`bench/health  ${ATTEMPTS.toLocaleString()} attempts over 30 days, ${WEBHOOKS} webhooks (seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

function best(fn: () => unknown): number {
  let b = Infinity;
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    fn();
    b = Math.min(b, performance.now() - s);
  }
  return b;
}

const since24 = Math.floor(now / HOUR) * HOUR - 23 * HOUR;
const since7d = Math.floor(now / HOUR) * HOUR - 167 * HOUR;
const page = ids.slice(0, 20);
const scan = (sql: string, ...params: unknown[]) => () => hp.db.prepare(sql).all(...params);
const cases: Array<[string, () => unknown, () => unknown]> = [
  [
    'list: 20 sparklines (24 h)',
    () => service.health.bucketsMany(page, since24, HOUR, 24),
    scan(
      "SELECT webhook_id, CAST((attempted_at - ?) / ? AS INTEGER) b, SUM(outcome = 'success'), COUNT(*) FROM webhook_attempts NOT INDEXED WHERE webhook_id IN (SELECT value FROM json_each(?)) AND attempted_at >= ? GROUP BY 1, 2",
      since24, HOUR, JSON.stringify(page), since24,
    ),
  ],
  [
    'edit: 7-day chart, busiest webhook',
    () => service.health.buckets(ids[0]!, since7d, HOUR, 168),
    scan("SELECT CAST((attempted_at - ?) / ? AS INTEGER) b, SUM(outcome = 'success'), COUNT(*) FROM webhook_attempts NOT INDEXED WHERE webhook_id = ? AND attempted_at >= ? GROUP BY 1", since7d, HOUR, ids[0], since7d),
  ],
  [
    'edit: latency p50/p95, busiest webhook',
    () => service.health.latency(ids[0]!, since7d),
    scan('SELECT duration_ms FROM webhook_attempts NOT INDEXED WHERE webhook_id = ? AND attempted_at >= ? ORDER BY duration_ms', ids[0], since7d),
  ],
  [
    'dashboard: last hour, retries, disabled',
    () => service.health.overview(now),
    scan("SELECT COUNT(*), SUM(outcome != 'success') FROM webhook_attempts NOT INDEXED WHERE attempted_at >= ?", now - HOUR),
  ],
];
for (const [name, indexed, baseline] of cases) {
  const a = best(indexed);
  const b = best(baseline);
  console.log(`${name.padEnd(40)} ${a.toFixed(2).padStart(8)} ms   table scan ${b.toFixed(1).padStart(8)} ms   ${(b / a).toFixed(0)}× faster`);
}
await hp.close();
fs.rmSync(dir, { recursive: true, force: true });
