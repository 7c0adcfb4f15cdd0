import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { openDatabase, type Db } from '../../../core/db/database.js';
import { runInUnitOfWork } from '../../../core/http/unit-of-work.js';
import { FakeClock } from '../../../core/testing/fake-clock.js';
import { DeliveriesStore, type AttemptToRecord, type ClaimedDelivery, type Delivery } from '../../../plugins/webhooks/data/deliveries-store.js';
import { workerOwnerId } from '../../../plugins/webhooks/delivery/ids.js';
import { sqliteWorkerStore } from '../../../plugins/webhooks/data/worker-stores.js';
import { DeliveryWorker } from '../../../plugins/webhooks/delivery/worker.js';
import { resolveSettings } from '../../../plugins/webhooks/settings.js';
import { Receiver } from '../../helpers/receiver.js';
import { makeWebhooksApp } from '../../helpers/webhooks.js';
import { webhooksSchemaOnSqlite } from '../../helpers/webhooks-schema.js';

const DAY = 86_400_000;
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'lease-child.ts');
const LEASE = 60_000;

/**
 * Two workers (processes) on one SQLite database file: two connections, two stores with their
 * own owner ids, one injected clock. Every step is driven by hand: no sleeps.
 */
describe('plugins/webhooks leases across processes (two owners, one database file)', () => {
  let dir: string;
  let dbA: Db;
  let dbB: Db;
  let clock: FakeClock;
  let A: DeliveriesStore;
  let B: DeliveriesStore;
  let hook1: number;
  let hook2: number;

  const stores = (perWebhook: number) => {
    A = new DeliveriesStore(dbA, clock.fn, undefined, { owner: 'host-a:101:aaaa', perWebhook });
    B = new DeliveriesStore(dbB, clock.fn, undefined, { owner: 'host-b:202:bbbb', perWebhook });
  };
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-leases-'));
    dbA = openDatabase(dir);
    await webhooksSchemaOnSqlite(dbA);
    dbB = openDatabase(dir);
    clock = new FakeClock(1_700_000_000_000);
    const add = dbA.prepare("INSERT INTO webhooks (name, url, event, secret, created_at, updated_at) VALUES (?, ?, 'payment_received', 'whsec_x', 0, 0)");
    hook1 = Number(add.run('One', 'http://127.0.0.1:9/one').lastInsertRowid);
    hook2 = Number(add.run('Two', 'http://127.0.0.1:9/two').lastInsertRowid);
    stores(16);
  });
  afterEach(() => {
    dbA.close();
    dbB.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** `n` deliveries to `webhookId`, written due at `at` by `store` (unleased unless `leaseUntil`). */
  let seq = 0;
  const enqueue = (store: DeliveriesStore, webhookId: number, n: number, at = clock.now, leaseUntil?: number) =>
    store.enqueueLeased({
      eventId: `evt_${++seq}`,
      event: 'payment_received',
      body: `{"n":${seq}}`,
      isTest: false,
      now: at,
      maxAttempts: 8,
      leaseUntil,
      targets: Array.from({ length: n }, (_, i) => ({ webhookId, url: `http://127.0.0.1:9/${webhookId}`, msgId: `msg_${seq}_${i}` })),
    });
  const row = (id: number) => dbB.prepare('SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as Delivery;
  /** Deliveries of a webhook leased now, by anyone: what the per-endpoint limit counts. */
  const leasedNow = (webhookId: number) =>
    (dbB.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = ? AND status = 'pending' AND lease_until > ?").get(webhookId, clock.now) as { n: number }).n;
  const attempt = (d: ClaimedDelivery, ok: boolean, extra: Partial<NonNullable<AttemptToRecord['health']>> = {}): AttemptToRecord => ({
    attempt: {
      deliveryId: d.id,
      webhookId: d.webhook_id,
      trigger: d.next_trigger,
      attemptedAt: clock.now,
      requestUrl: d.url,
      requestHeaders: {},
      responseStatus: ok ? 200 : 500,
      responseHeaders: {},
      responseBody: '',
      durationMs: 5,
      success: ok,
      errorClass: ok ? null : 'http',
      errorMessage: ok ? null : 'HTTP 500',
    },
    outcome: ok
      ? { status: 'succeeded', attempts: d.attempts + 1, nextAttemptAt: null, nextTrigger: d.next_trigger }
      : { status: 'pending', attempts: d.attempts + 1, nextAttemptAt: clock.now + 5_000, nextTrigger: 'retry' },
    health: { webhookId: d.webhook_id!, ok, httpStatus: ok ? 200 : 500, at: clock.now, done: clock.now + 5, gone: false, exhausted: false, disableAfterMs: 5 * DAY, ...extra },
  });

  it('the lease: 5 min unless WEBHOOKS_LEASE_MS (or leaseMs) says otherwise, never shorter than an attempt may take', () => {
    expect(resolveSettings({}, {}).leaseMs).to.equal(300_000);
    expect(resolveSettings({ leaseMs: 60_000 }, { WEBHOOKS_LEASE_MS: '30000' }).leaseMs).to.equal(30_000);
    expect(() => resolveSettings({}, { WEBHOOKS_LEASE_MS: '10000' })).to.throw(TypeError, /leaseMs \(10000\) must be at least the total timeout of an attempt \(15000 ms\)/);
    expect(resolveSettings({ totalTimeoutMs: 5_000 }, { WEBHOOKS_LEASE_MS: '10000' }).leaseMs).to.equal(10_000);
  });

  it('owner ids: host, pid and a random part, different for each worker', () => {
    const id = workerOwnerId('web-1', 4242);
    expect(id).to.match(/^web-1:4242:[0-9a-f]{8}$/);
    expect(workerOwnerId('web-1', 4242)).not.to.equal(id);
    expect(new DeliveriesStore(dbA).owner).to.match(new RegExp(`^${os.hostname()}:${process.pid}:[0-9a-f]{8}$`));
  });

  it('a claim writes its owner with the lease; B never releases A\'s leases, A releases its own', () => {
    const ids = enqueue(A, hook1, 3).ids;
    const taken = A.claimDue(clock.now, 2, LEASE);
    expect(taken.map((d) => d.id)).to.deep.equal(ids.slice(0, 2));
    for (const d of taken) expect(row(d.id)).to.include({ lease_owner: A.owner, lease_until: clock.now + LEASE });

    expect(B.releaseLeases(ids, clock.now), 'B holds none of them').to.equal(0);
    for (const d of taken) expect(row(d.id)).to.include({ lease_owner: A.owner, lease_until: clock.now + LEASE });
    expect(B.claimDue(clock.now, 10, LEASE).map((d) => d.id), 'B gets only the one A does not hold').to.deep.equal([ids[2]]);

    expect(A.releaseLeases(ids, clock.now), 'A releases its two, not B\'s').to.equal(2);
    expect(row(ids[0]!)).to.include({ lease_owner: null, lease_until: null, next_attempt_at: clock.now });
    expect(row(ids[2]!)).to.include({ lease_owner: B.owner });
    expect(B.claimDue(clock.now, 10, LEASE).map((d) => d.id).sort(), 'released: due again, for anyone').to.deep.equal(ids.slice(0, 2).sort());
  });

  it('a starting worker hands back the leases of a process on this machine that is gone, and only those', () => {
    const ids = enqueue(A, hook1, 3).ids;
    const taken = A.claimDue(clock.now, 2, LEASE);
    expect(B.claimDue(clock.now, 10, LEASE).map((d) => d.id)).to.deep.equal([ids[2]]);
    // A's process (pid 101 on host-a) is alive, or on another machine: nothing is touched.
    expect(B.releaseDeadOwners(clock.now, () => true, 'host-a'), 'holder alive').to.equal(0);
    expect(B.releaseDeadOwners(clock.now, () => false, 'host-c'), 'holder on another machine').to.equal(0);
    for (const d of taken) expect(row(d.id)).to.include({ lease_owner: A.owner });
    // A's process is gone (killed): its two are due again now; B's own lease stays.
    expect(B.releaseDeadOwners(clock.now, (pid) => pid !== 101, 'host-a')).to.equal(2);
    for (const d of taken) expect(row(d.id)).to.include({ lease_owner: null, lease_until: null, next_attempt_at: clock.now });
    expect(row(ids[2]!)).to.include({ lease_owner: B.owner });
    expect(B.claimDue(clock.now, 10, LEASE).map((d) => d.id).sort(), 'claimed at once, not after the lease').to.deep.equal(ids.slice(0, 2).sort());
  });

  it('a dead process\'s lease runs out and another worker claims it; a starting worker releases nothing', async () => {
    const [id] = enqueue(A, hook1, 1).ids;
    A.claimDue(clock.now, 10, LEASE); // …and process A is killed here.

    // Process B starts: its worker leaves A's lease alone (A may still be alive and sending).
    const sent: number[] = [];
    const worker = new DeliveryWorker({
      store: sqliteWorkerStore(B),
      dispatch: async (d) => void sent.push(d.id),
      clock: clock.fn,
      concurrency: 4,
      perEndpoint: 4,
      leaseMs: LEASE,
      batchSize: 10,
      pollMs: 60_000,
      stopGraceMs: 0,
      logger: pino({ level: 'silent' }),
    });
    worker.start();
    await new Promise((r) => setImmediate(r));
    await worker.stop(0);
    expect(sent, 'nothing sent while A\'s lease runs').to.deep.equal([]);
    expect(row(id!)).to.include({ lease_owner: A.owner });

    clock.advance(LEASE - 1);
    expect(B.claimDue(clock.now, 10, LEASE), 'one ms before it runs out').to.have.length(0);
    clock.advance(1);
    const [taken] = B.claimDue(clock.now, 10, LEASE);
    expect(taken?.id).to.equal(id);
    expect(row(id!)).to.include({ lease_owner: B.owner, lease_until: clock.now + LEASE });
    expect(A.claimDue(clock.now, 10, LEASE), 'now B holds it').to.have.length(0);
  });

  it('an attempt A records after B took the delivery over never overwrites B\'s state (superseded)', () => {
    const [id] = enqueue(A, hook1, 1).ids;
    const [byA] = A.claimDue(clock.now, 10, LEASE);
    clock.advance(LEASE); // A hangs past its lease…
    const [byB] = B.claimDue(clock.now, 10, LEASE); // …and B takes the delivery over.
    expect(byB?.id).to.equal(id);

    // A's request finally fails: recorded as an attempt, but the delivery stays B's.
    const [late] = A.recordAttempts([attempt(byA!, false, { exhausted: true })]);
    expect(late).to.deep.equal({ disabled: null, superseded: true });
    expect(row(id!)).to.include({ status: 'pending', attempts: 0, lease_owner: B.owner, lease_until: clock.now + LEASE, last_error: null });
    const outcomes = () => (dbB.prepare('SELECT outcome FROM webhook_attempts WHERE delivery_id = ? ORDER BY id').all(id) as Array<{ outcome: string }>).map((a) => a.outcome);
    expect(outcomes(), 'the duplicate is in the log; it decided nothing, so it is not "failed"').to.deep.equal(['retrying']);
    A.cancel(id!, 'Not sent: the webhook is inactive.', clock.now);
    expect(row(id!).status, 'nor can A cancel it').to.equal('pending');

    // B's own attempt is recorded as usual.
    clock.advance(10);
    expect(B.recordAttempts([attempt(byB!, true)])[0]).to.deep.equal({ disabled: null, superseded: false });
    expect(row(id!)).to.include({ status: 'succeeded', attempts: 1, lease_until: null, lease_owner: B.owner });

    // Even after B finished, a later record of A's changes nothing on the delivery.
    clock.advance(10);
    expect(A.recordAttempts([attempt(byA!, false, { gone: true, exhausted: true })])[0], 'a stale 410 disables nothing').to.deep.equal({ disabled: null, superseded: true });
    expect(row(id!)).to.include({ status: 'succeeded', attempts: 1 });
    expect((dbB.prepare('SELECT active FROM webhooks WHERE id = ?').get(hook1) as { active: number }).active).to.equal(1);
    expect(outcomes()).to.deep.equal(['retrying', 'success', 'retrying']);
  });

  it('an attempt recorded after its own lease ran out, nobody having taken it, still counts', () => {
    const [id] = enqueue(A, hook1, 1).ids;
    const [d] = A.claimDue(clock.now, 10, LEASE);
    clock.advance(2 * LEASE);
    expect(A.recordAttempts([attempt(d!, true)])[0]).to.deep.equal({ disabled: null, superseded: false });
    expect(row(id!)).to.include({ status: 'succeeded', attempts: 1 });
  });

  it('the per-endpoint limit holds across two workers: claims count every owner\'s leases', () => {
    stores(3);
    const ones = enqueue(A, hook1, 10).ids;
    clock.advance(1);
    const twos = enqueue(A, hook2, 2).ids;
    clock.advance(1);

    const a1 = A.claimDue(clock.now, 2, LEASE);
    expect(a1.map((d) => d.id)).to.deep.equal(ones.slice(0, 2));
    const b1 = B.claimDue(clock.now, 10, LEASE);
    expect(b1.map((d) => d.id), 'one more of webhook 1 (3 in all), then webhook 2').to.deep.equal([ones[2], ...twos]);
    expect(leasedNow(hook1)).to.equal(3);
    expect(A.claimDue(clock.now, 10, LEASE), 'webhook 1 at its limit, webhook 2 all taken').to.have.length(0);
    expect(B.claimDue(clock.now, 10, LEASE)).to.have.length(0);

    // A finishes one: one slot of webhook 1 frees, for whoever claims first.
    A.recordAttempts([attempt(a1[0]!, true)]);
    expect(leasedNow(hook1)).to.equal(2);
    expect(B.claimDue(clock.now, 10, LEASE).map((d) => d.id)).to.deep.equal([ones[3]]);
    expect(A.claimDue(clock.now, 10, LEASE)).to.have.length(0);
    expect(leasedNow(hook1)).to.equal(3);

    // Leases that ran out hold nothing: the next claim may take a full set again.
    clock.advance(LEASE);
    expect(leasedNow(hook1)).to.equal(0);
    const again = A.claimDue(clock.now, 10, LEASE);
    expect(again.filter((d) => d.webhook_id === hook1)).to.have.length(3);
  });

  it('a full webhook\'s backlog ahead never hides the due rows of another webhook', () => {
    stores(3);
    enqueue(A, hook1, 500);
    clock.advance(1);
    const [two] = enqueue(A, hook2, 1).ids;
    clock.advance(1);
    const first = B.claimDue(clock.now, 10, LEASE);
    expect(first.filter((d) => d.webhook_id === hook1)).to.have.length(3);
    expect(first.map((d) => d.id)).to.include(two);
    // Webhook 1 full (by B's leases), and a claim of A's looks past its 497 due rows too.
    const [three] = enqueue(A, hook2, 1).ids;
    expect(A.claimDue(clock.now, 10, LEASE).map((d) => d.id)).to.deep.equal([three]);
  });

  it('fresh deliveries written leased to the running worker carry its owner, within the limit', () => {
    stores(3);
    enqueue(B, hook1, 2, clock.now, clock.now + LEASE);
    expect(leasedNow(hook1)).to.equal(2);
    const w = enqueue(A, hook1, 3, clock.now, clock.now + LEASE);
    expect(w.leased, 'one slot was left').to.deep.equal([true, false, false]);
    expect(w.leaseUntil).to.equal(clock.now + LEASE);
    expect(row(w.ids[0]!)).to.include({ lease_owner: A.owner, lease_until: clock.now + LEASE, next_attempt_at: clock.now + LEASE });
    expect(row(w.ids[1]!)).to.include({ lease_owner: null, lease_until: null, next_attempt_at: clock.now });
    const none = enqueue(A, hook1, 1, clock.now, clock.now + LEASE);
    expect(none).to.deep.include({ leased: [false], leaseUntil: undefined });
  });

  it('two OS processes claiming at once on one database file: each delivery once, never more than the limit leased', async function () {
    this.timeout(60_000);
    const ids = [...enqueue(A, hook1, 200).ids, ...enqueue(A, hook2, 200).ids];
    const children = ['host-x:1:xxxx', 'host-y:2:yyyy'].map((owner) => spawn(process.execPath, ['--import', 'tsx', CHILD, dir, owner, '4', String(clock.now)], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const lines = children.map((c) => {
      let out = '';
      c.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      return {
        ready: new Promise<void>((resolve) => c.stdout!.on('data', () => out.includes('ready\n') && resolve())),
        done: new Promise<{ claimed: number[]; most: number }>((resolve, reject) => c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice(out.indexOf('\n') + 1))) : reject(new Error(`child exited ${code}`))))),
      };
    });
    try {
      await Promise.all(lines.map((l) => l.ready));
      for (const c of children) c.stdin!.write('go\n');
      const [x, y] = await Promise.all(lines.map((l) => l.done));
      const all = [...x!.claimed, ...y!.claimed];
      expect(new Set(all).size, 'no delivery claimed twice').to.equal(all.length);
      expect([...all].sort((a, b) => a - b)).to.deep.equal(ids);
      expect(Math.max(x!.most, y!.most), 'leased per webhook, both processes together').to.be.at.most(4);
      expect(ids.map((id) => row(id).status)).to.deep.equal(ids.map(() => 'succeeded'));
    } finally {
      for (const c of children) c.kill('SIGKILL');
    }
  });

  it('two workers on one database: never more than the limit in flight for one endpoint, each delivery sent once', async () => {
    stores(2);
    const ids = enqueue(A, hook1, 7).ids;
    const inflight = new Map<number, { owner: string; d: ClaimedDelivery; finish: () => void }>();
    const sent: number[] = [];
    let most = 0;
    const workerFor = (store: DeliveriesStore) =>
      new DeliveryWorker({
        store: sqliteWorkerStore(store),
        dispatch: (d) =>
          new Promise<void>((resolve) => {
            sent.push(d.id);
            inflight.set(d.id, {
              owner: store.owner,
              d,
              finish: () => {
                inflight.delete(d.id);
                store.recordAttempts([attempt(d, true)]);
                resolve();
              },
            });
            most = Math.max(most, inflight.size);
          }),
        clock: clock.fn,
        concurrency: 8,
        perEndpoint: 8, // the in-memory limit of one process would allow 8: the database says 2
        leaseMs: LEASE,
        batchSize: 8,
        pollMs: 60_000,
        stopGraceMs: 0,
        logger: pino({ level: 'silent' }),
      });
    const wa = workerFor(A);
    const wb = workerFor(B);
    const turn = () => new Promise((r) => setImmediate(r));
    wa.start();
    wb.start();
    for (let i = 0; i < 4; i++) await turn();
    expect(inflight.size).to.equal(2);
    // Finish whatever is in flight, a request at a time; completions claim again (held back).
    for (let step = 0; step < 50 && sent.length < ids.length; step++) {
      const first = [...inflight.values()][0];
      first?.finish();
      for (let i = 0; i < 4; i++) await turn();
      expect(inflight.size).to.be.at.most(2);
    }
    for (const x of [...inflight.values()]) x.finish();
    await Promise.all([wa.stop(0), wb.stop(0)]);
    expect(most, 'in flight for the endpoint, both workers together').to.equal(2);
    expect([...sent].sort((a, b) => a - b), 'each once').to.deep.equal(ids);
    expect(ids.map((id) => row(id).status)).to.deep.equal(ids.map(() => 'succeeded'));
  });
});

describe('plugins/webhooks fresh deliveries and the per-endpoint limit (through wu_do_event)', () => {
  it('a running worker takes fresh deliveries leased at commit only within the limit; the rest are claimed as slots free', async () => {
    const receiver = new Receiver();
    await receiver.start();
    const w = await makeWebhooksApp({ perEndpoint: 2, owner: 'host-a:7:abcd' });
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    receiver.reply = () => ({ status: 200, hold });
    try {
      const hook = await w.api.async.create_webhook({ name: 'Slow', url: `${receiver.url}/hook`, event: 'payment_received' });
      w.service.worker.start();
      // Fired as by a request: stored (and leased) once the unit of work settles, on either backend.
      await runInUnitOfWork(() => {
        for (let i = 0; i < 5; i++) w.service.wu_do_event('payment_received', { n: i });
      });
      const rows = (await w.api.async.list_deliveries({ webhookId: hook.id, limit: 10 })).items.sort((a, b) => a.id - b.id);
      expect(rows.map((d) => d.lease_owner), 'written leased to the worker: two, its limit').to.deep.equal(['host-a:7:abcd', 'host-a:7:abcd', null, null, null]);
      await receiver.waitFor(2);
      expect(w.service.worker.stats(), 'nothing queued beyond the limit').to.deep.equal({ inflight: 2, queued: 0 });
      release();
      await receiver.waitFor(5);
      await w.service.worker.stop();
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).to.equal(5);
      expect((await w.api.async.list_deliveries({ webhookId: hook.id, status: 'succeeded', limit: 10 })).total).to.equal(5);
    } finally {
      release();
      await w.hp.close();
      await receiver.close();
    }
  });
});
