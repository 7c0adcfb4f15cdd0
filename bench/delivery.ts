/**
 * bench/delivery — delivery throughput and latency, against a receiver in another process.
 *   npm run bench:delivery            (add --quick for a shorter run, --rounds=N (≥ 5), --rss for the 1M-pending memory check)
 * After a discarded warm-up, runs ≥ 5 interleaved rounds — raw, end-to-end runs, raw again — and
 * prints per-round numbers and then medians; each ratio uses its own round's raw baseline.
 * (a) raw undici POST loop to the receiver (the baseline),
 * (b) Hookpress end to end: fire events → durable outbox → signed → delivered → attempt stored,
 *     for 1 webhook with events fired by 64 independent callers (each waits until its own event
 *     is durable before firing the next, as a request is answered only then; concurrent callers'
 *     events may share a commit), by one caller calling wu_do_event directly (each event its own
 *     commit), and by one caller firing 100 per transaction of its own; and for 1 event → 100
 *     webhooks (64 callers); the ratio (b)/(a) (goals ≥ 0.5 for the 64 callers, ≥ 0.8 for 1 → 100),
 * (c) event → receipt latency p50/p99 at 1,000 events/s, each event fired by its own caller,
 * (d) with --rss: RSS while 1,000,000 pending deliveries are streamed (must stay flat),
 * (e) durability: the cost of a commit per event with synchronous=FULL vs NORMAL, and (b) under NORMAL,
 * (f) the floor: CPU per raw request against CPU per delivery of the store's writes alone —
 *     the ratio (b)/(a) can be at most raw ÷ (raw + store) on the same cores.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { createApp, type HookpressApp } from '../core/app.js';
import { PROJECT_ROOT } from '../core/config.js';
import { engineOf, type WebhooksApi } from '../plugins/webhooks/index.js';
import type { WebhooksService } from '../plugins/webhooks/service.js';

const quick = process.argv.includes('--quick');
const withRss = process.argv.includes('--rss');
const here = path.dirname(fileURLToPath(import.meta.url));

interface Stats {
  count: number;
  latencies: number[];
}

async function startReceiver(): Promise<{ child: ChildProcess; url: string; stats(): Promise<Stats>; reset(): Promise<void> }> {
  const child = fork(path.join(here, 'receiver.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const ask = <T>(cmd: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m: T) => resolve(m));
      child.send({ cmd });
    });
  return { child, url: `http://127.0.0.1:${port}`, stats: () => ask<Stats>('stats'), reset: () => ask('reset') };
}

const body = JSON.stringify({ payment_id: 2718, payment_total: '$34.80', customer_email: 'ada@example.com', note: 'x'.repeat(400) });

/** CPU µs per request of the last raw loop (this process: user + system). */
let rawCpuPerRequest = 0;

async function rawUndici(url: string, total: number, concurrency: number): Promise<number> {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const res = await request(`${url}/raw`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: agent });
        await res.body.dump();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  rawCpuPerRequest = (used.user + used.system) / total;
  await agent.close();
  return total / seconds;
}

async function hookpress(dataDir: string, url: string, synchronous: 'FULL' | 'NORMAL' = 'FULL'): Promise<{ hp: HookpressApp; service: WebhooksService }> {
  const hp = await createApp({
    dataDir,
    sqliteSynchronous: synchronous,
    logLevel: 'silent',
    passwordCost: 1024,
    adminPassword: 'bench password',
    pluginsDir: path.join(PROJECT_ROOT, 'plugins'),
    pluginSlugs: ['webhooks', 'memberships'],
    plugins: { webhooks: { allowNetworks: '127.0.0.0/8', concurrency: 64, perEndpoint: 64, batchSize: 512 } },
  });
  const service = engineOf(hp.host.services.get('webhooks')!.service as WebhooksApi)!;
  void url;
  return { hp, service };
}

function succeeded(hp: HookpressApp): number {
  return (hp.db.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'succeeded'").get() as { n: number }).n;
}

async function waitUntil(pred: () => boolean, timeoutMs = 120_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > until) throw new Error('bench timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * How events are fired in an end-to-end run:
 * - `callers`: CALLERS independent callers (like concurrent HTTP requests), each firing one
 *   event at a time and waiting until it is durable before firing the next (runInUnitOfWork:
 *   what a request does before it is answered). No caller batches; concurrent callers' events
 *   may share a commit (group commit).
 * - `direct`: one caller calling wu_do_event in a loop outside any unit of work: each event is
 *   its own transaction, committed before the call returns (cron jobs, CLI, scripts).
 * - `tx100`: one caller firing 100 events inside one transaction of its own (caller-side batching).
 */
type FireMode = 'callers' | 'direct' | 'tx100';
const CALLERS = 64;

/** runInUnitOfWork when this tree has it (a run on an older tree falls back to a plain call: each event committed in the call). */
const unitOfWork: <T>(fn: () => T) => Promise<T> = await import('../core/http/unit-of-work.js' as string).then(
  (m: { runInUnitOfWork: <T>(fn: () => T) => Promise<T> }) => m.runInUnitOfWork,
  () => async <T>(fn: () => T) => fn(),
);

/** Mean writes (events, attempts) per commit of the group commit, when the tree has one. */
function writesPerCommit(service: WebhooksService): number | null {
  const stats = (service.deliveries as unknown as { commits?: { stats: { commits: number; writes: number } } }).commits?.stats;
  return stats && stats.commits ? stats.writes / stats.commits : null;
}
const perCommit: number[] = [];

async function endToEnd(url: string, events: number, webhooks: number, mode: FireMode = 'callers', synchronous: 'FULL' | 'NORMAL' = 'FULL'): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-bench-'));
  const { hp, service } = await hookpress(dir, url, synchronous);
  for (let i = 0; i < webhooks; i++) service.create_webhook({ name: `Bench ${i}`, url: `${url}/hook/${i}`, event: 'payment_received' });
  const payload = JSON.parse(body) as Record<string, unknown>;
  const expected = events * webhooks;
  const started = performance.now();
  if (mode === 'callers') {
    let fired = 0;
    await Promise.all(
      Array.from({ length: Math.min(CALLERS, events) }, async () => {
        while (fired < events) {
          fired++;
          await unitOfWork(() => service.wu_do_event('payment_received', payload));
        }
      }),
    );
  } else {
    const perTransaction = mode === 'tx100' ? 100 : 1;
    // Fire in slices so the worker runs while events keep coming, as in production.
    const fire = hp.db.transaction((n: number) => {
      for (let k = 0; k < n; k++) service.wu_do_event('payment_received', payload);
    });
    for (let i = 0; i < events; i += perTransaction) {
      if (perTransaction === 1) service.wu_do_event('payment_received', payload);
      else fire(Math.min(perTransaction, events - i));
      if (Math.floor(i / perTransaction) % Math.max(1, Math.floor(200 / perTransaction)) === 0) await new Promise((r) => setImmediate(r));
    }
  }
  await waitUntil(() => succeeded(hp) >= expected);
  const seconds = (performance.now() - started) / 1000;
  const attempts = (hp.db.prepare('SELECT COUNT(*) AS n FROM webhook_attempts').get() as { n: number }).n;
  if (attempts < expected) throw new Error(`only ${attempts} attempts stored`);
  if (mode === 'callers' && webhooks === 1 && synchronous === 'FULL') {
    const w = writesPerCommit(service);
    if (w !== null) perCommit.push(w);
  }
  await hp.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return expected / seconds;
}

async function latency(url: string, rate: number, seconds: number, receiver: Awaited<ReturnType<typeof startReceiver>>): Promise<{ p50: number; p99: number; n: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-bench-'));
  const { hp, service } = await hookpress(dir, url);
  service.create_webhook({ name: 'Latency', url: `${url}/latency`, event: 'payment_received' });
  await receiver.stats();
  const total = rate * seconds;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    while (performance.now() < due) await new Promise((r) => setTimeout(r, 1));
    // Each event from its own caller (one request each), not waited for here.
    void unitOfWork(() => service.wu_do_event('payment_received', { n: i, sent_at: performance.timeOrigin + performance.now() }));
  }
  await waitUntil(() => succeeded(hp) >= total);
  const { latencies } = await receiver.stats();
  latencies.sort((a, b) => a - b);
  await hp.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { p50: at(0.5), p99: at(0.99), n: latencies.length };
}

async function rss(url: string, pending: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-bench-'));
  const { hp, service } = await hookpress(dir, url);
  const wh = service.create_webhook({ name: 'RSS', url: `${url}/rss`, event: 'payment_received' });
  await service.worker.stop();
  const now = Date.now();
  const insertEvent = hp.db.prepare('INSERT INTO webhook_events (id, event, body, is_test, created_at) VALUES (?, ?, ?, 0, ?)');
  const insertDelivery = hp.db.prepare(
    "INSERT INTO webhook_deliveries (msg_id, webhook_id, event_id, event, url, status, attempts, max_attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, 'payment_received', ?, 'pending', 0, 8, ?, ?, ?)",
  );
  const t0 = performance.now();
  insertEvent.run('evt_bench', 'payment_received', body, now);
  hp.db.transaction(() => {
    for (let i = 0; i < pending; i++) insertDelivery.run(`msg_bench_${i}`, wh.id, 'evt_bench', wh.url, now, now, now);
  })();
  const insertSeconds = (performance.now() - t0) / 1000;
  global.gc?.();
  const before = process.memoryUsage().rss;
  service.worker.start();
  const samples: number[] = [];
  const sampleFor = quick ? 5_000 : 15_000;
  const t1 = performance.now();
  const startCount = succeeded(hp);
  while (performance.now() - t1 < sampleFor) {
    await new Promise((r) => setTimeout(r, 250));
    samples.push(process.memoryUsage().rss);
  }
  const sent = succeeded(hp) - startCount;
  await service.worker.stop();
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  console.log(
    `(d) ${pending.toLocaleString()} pending (inserted in ${insertSeconds.toFixed(1)} s): RSS before worker ${mb(before)}, ` +
      `while streaming min ${mb(Math.min(...samples))} / max ${mb(Math.max(...samples))} / last ${mb(samples[samples.length - 1]!)} — ${sent.toLocaleString()} delivered in ${(sampleFor / 1000).toFixed(0)} s`,
  );
  await hp.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Median of a list of numbers. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** µs per event when each event is its own commit (the worker stopped), under a synchronous setting. */
async function commitCost(url: string, events: number, synchronous: 'FULL' | 'NORMAL'): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-bench-'));
  const { hp, service } = await hookpress(dir, url, synchronous);
  await service.worker.stop();
  service.create_webhook({ name: 'Commit', url: `${url}/commit`, event: 'payment_received' });
  const payload = JSON.parse(body) as Record<string, unknown>;
  const started = performance.now();
  for (let i = 0; i < events; i++) service.wu_do_event('payment_received', payload);
  const us = ((performance.now() - started) * 1000) / events;
  await hp.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return us;
}

/**
 * (f) The storage floor: CPU µs per delivery of the outbox store's writes alone, no request —
 * events and their deliveries written (event, deliveries, counts, lease checks) 32 deliveries to
 * a commit, then their attempts recorded (attempt row, delivery state, webhook health) 32 to a
 * commit (an event's 100 when fanned out), as the group commit batches them, under
 * `synchronous=FULL`; `fanOut` webhooks per event (1, or 100 as in the 1 → 100 row). A
 * process that also sends pays at least this plus what a raw request costs, so
 * raw ÷ (raw + floor) bounds the ratio of (b).
 */
async function storageFloor(url: string, deliveries: number, fanOut: 1 | 100): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-bench-'));
  const { hp, service } = await hookpress(dir, url);
  await service.worker.stop();
  const ws = Array.from({ length: fanOut }, (_, i) => service.create_webhook({ name: `Floor ${i}`, url: `${url}/floor/${i}`, event: 'payment_received' }));
  const store = service.deliveries!;
  const headers = { 'content-type': 'application/json', 'user-agent': 'Hookpress-Webhooks/1 (Hookpress)', 'webhook-id': 'msg_x', 'webhook-timestamp': '1', 'webhook-signature': 'v1,' + 'x'.repeat(44), 'x-hookpress-event': 'payment_received' };
  let k = 0;
  const cpu = process.cpuUsage();
  const perCommit = Math.max(32, fanOut);
  for (let i = 0; i < deliveries; i += perCommit) {
    const now = Date.now();
    const ids: number[] = [];
    hp.db.transaction(() => {
      for (let j = 0; j < perCommit; j += fanOut, k += fanOut) {
        const e = { eventId: `evt_floor_${k}`, event: 'payment_received', body, isTest: false, now, maxAttempts: 8, leaseUntil: now + 60_000 };
        ids.push(...store.enqueueLeased({ ...e, targets: ws.map((w, t) => ({ webhookId: w.id, url: w.url, msgId: `msg_floor_${k + t}` })) }).ids);
      }
    })();
    store.recordAttempts(
      ids.map((id, t) => ({
        attempt: { deliveryId: id, webhookId: ws[t % fanOut]!.id, trigger: 'event' as const, attemptedAt: now, requestUrl: ws[t % fanOut]!.url, requestHeaders: headers, responseStatus: 200, responseHeaders: { 'content-length': '2', 'content-type': 'text/plain' }, responseBody: 'ok', durationMs: 1, success: true, errorClass: null, errorMessage: null },
        outcome: { status: 'succeeded' as const, attempts: 1, nextAttemptAt: null, nextTrigger: 'event' as const },
        health: { webhookId: ws[t % fanOut]!.id, ok: true, httpStatus: 200, at: now, done: now, gone: false, exhausted: false, disableAfterMs: 86_400_000 },
      })),
    );
  }
  const used = process.cpuUsage(cpu);
  await hp.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return (used.user + used.system) / k;
}

const rounds = Math.max(5, Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 5));
const receiver = await startReceiver();
try {
  const n = quick ? 2_000 : 5_000;
  console.log(`bench/delivery  node ${process.version}  ${os.cpus().length} cores  load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}  receiver in a separate process  ${rounds} interleaved rounds of ${n} deliveries (medians)`);
  // Warm-up (discarded): JIT, connection pools, page cache.
  await rawUndici(receiver.url, n / 4, 64);
  await endToEnd(receiver.url, n / 4, 1);
  const r = { raw: [] as number[], one: [] as number[], direct: [] as number[], oneNormal: [] as number[], batched: [] as number[], fan: [] as number[], p50: [] as number[], p99: [] as number[] };
  const ratios = { one: [] as number[], direct: [] as number[], batched: [] as number[], fan: [] as number[] };
  const commit = { FULL: [] as number[], NORMAL: [] as number[] };
  const floor = { raw: [] as number[], store: [] as number[], ceiling: [] as number[], fanStore: [] as number[], fanCeiling: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    // Raw before and after the round's end-to-end runs: each ratio uses the round's own baseline.
    const rawBefore = await rawUndici(receiver.url, n, 64);
    const one = await endToEnd(receiver.url, n, 1, 'callers');
    const direct = await endToEnd(receiver.url, n, 1, 'direct');
    const batched = await endToEnd(receiver.url, n, 1, 'tx100');
    const fan = await endToEnd(receiver.url, n / 100, 100, 'callers');
    const oneNormal = await endToEnd(receiver.url, n, 1, 'callers', 'NORMAL');
    const rawAfter = await rawUndici(receiver.url, n, 64);
    floor.raw.push(rawCpuPerRequest);
    floor.store.push(await storageFloor(receiver.url, n, 1));
    floor.fanStore.push(await storageFloor(receiver.url, n, 100));
    floor.ceiling.push(floor.raw.at(-1)! / (floor.raw.at(-1)! + floor.store.at(-1)!));
    floor.fanCeiling.push(floor.raw.at(-1)! / (floor.raw.at(-1)! + floor.fanStore.at(-1)!));
    const raw = (rawBefore + rawAfter) / 2;
    r.raw.push(raw);
    r.one.push(one);
    r.direct.push(direct);
    ratios.direct.push(direct / raw);
    r.batched.push(batched);
    r.fan.push(fan);
    r.oneNormal.push(oneNormal);
    ratios.one.push(one / raw);
    ratios.batched.push(batched / raw);
    ratios.fan.push(fan / raw);
    const order: Array<'FULL' | 'NORMAL'> = i % 2 ? ['NORMAL', 'FULL'] : ['FULL', 'NORMAL'];
    for (const s of order) commit[s].push(await commitCost(receiver.url, quick ? 500 : 2_000, s));
    const lat = await latency(receiver.url, 1000, quick ? 1 : 2, receiver);
    r.p50.push(lat.p50);
    r.p99.push(lat.p99);
    console.log(
      `  round ${i + 1}: raw ${raw.toFixed(0)}/s · 1 webhook ${one.toFixed(0)}/s (${(one / raw).toFixed(2)}) · direct ${direct.toFixed(0)}/s · 100 per tx ${batched.toFixed(0)}/s · ` +
        `1→100 ${fan.toFixed(0)}/s (${(fan / raw).toFixed(2)}) · NORMAL ${oneNormal.toFixed(0)}/s · commit FULL ${commit.FULL.at(-1)!.toFixed(0)} µs / NORMAL ${commit.NORMAL.at(-1)!.toFixed(0)} µs · p99 ${lat.p99.toFixed(2)} ms · ` +
        `floor: raw ${floor.raw.at(-1)!.toFixed(0)} µs CPU/request, store ${floor.store.at(-1)!.toFixed(0)} µs/delivery (ceiling ${floor.ceiling.at(-1)!.toFixed(2)}), fanned out ${floor.fanStore.at(-1)!.toFixed(0)} µs (ceiling ${floor.fanCeiling.at(-1)!.toFixed(2)})`,
    );
  }
  console.log(`(a) raw undici POST loop, 64 concurrent:               ${median(r.raw).toFixed(0).padStart(7)} req/s`);
  const shared = perCommit.length ? ` (group commit: ${median(perCommit).toFixed(1)} writes per commit)` : '';
  console.log(`(b) end to end, 1 webhook, ${CALLERS} independent callers:        ${median(r.one).toFixed(0).padStart(7)} deliveries/s   ratio ${median(ratios.one).toFixed(2)} (goal ≥ 0.5)${shared}`);
  console.log(`(b) same, one caller, a commit per call (no unit of work): ${median(r.direct).toFixed(0).padStart(7)} deliveries/s   ratio ${median(ratios.direct).toFixed(2)}`);
  console.log(`(b) same, events fired 100 per caller transaction:      ${median(r.batched).toFixed(0).padStart(7)} deliveries/s   ratio ${median(ratios.batched).toFixed(2)}`);
  console.log(`(b) end to end, 1 event → 100 webhooks (${CALLERS} callers):   ${median(r.fan).toFixed(0).padStart(7)} deliveries/s   ratio ${median(ratios.fan).toFixed(2)} (goal ≥ 0.8)`);
  console.log(`(c) event → receipt at 1,000 events/s:                  p50 ${median(r.p50).toFixed(2)} ms, p99 ${median(r.p99).toFixed(2)} ms (goal p99 ≤ 10 ms)`);
  console.log(
    `(e) durability: a commit per event costs ${median(commit.FULL).toFixed(0)} µs with synchronous=FULL (the default) vs ${median(commit.NORMAL).toFixed(0)} µs with NORMAL; ` +
      `1 webhook end to end (${CALLERS} callers) ${median(r.one).toFixed(0)}/s (FULL) vs ${median(r.oneNormal).toFixed(0)}/s (NORMAL)`,
  );
  console.log(
    `(f) floor: the raw loop costs ${median(floor.raw).toFixed(0)} µs CPU per request; the outbox store's writes alone ${median(floor.store).toFixed(0)} µs per delivery ` +
      `(no request; FULL, 32 to a commit), ${median(floor.fanStore).toFixed(0)} µs when 100 webhooks share each event: a sender in one process on these cores ` +
      `reaches at most ${median(floor.ceiling).toFixed(2)} of raw with 1 webhook and ${median(floor.fanCeiling).toFixed(2)} fanned out`,
  );
  console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (withRss) await rss(receiver.url, 1_000_000);
} finally {
  receiver.child.send({ cmd: 'exit' });
}
