import { expect } from 'chai';
import { sql, type Kysely } from 'kysely';
import { DeliveriesStore, type AttemptToRecord, type Enqueued, type NewEvent, type Recorded } from '../../../plugins/webhooks/data/deliveries-store.js';
import { CLAIM_LOCK_KEY, LeaseClaims, type LeasedRow, type LeaseTables } from '../../../plugins/webhooks/data/lease-claims.js';
import { OutboxStore, type OutboxTables } from '../../../plugins/webhooks/data/outbox-store.js';
import { forEachBackend, type TestDb } from '../../helpers/backends.js';
import { webhooksSchema } from '../../helpers/webhooks-schema.js';

const NOW = 1_700_000_000_000;
const DAY = 86_400_000;
const LEASE = 60_000;

/**
 * The outbox's writes on the query layer (OutboxStore), on both backends, against the same
 * expectations as the SQLite store's suites (store.test.ts, leases.test.ts): two workers
 * (A and B, two connections, two owner ids), claims by LeaseClaims, one hand-driven clock.
 */
forEachBackend('OutboxStore (event write, attempt record and cancel on the query layer)', (backend) => {
  let first: TestDb;
  let second: TestDb;
  let db: Kysely<any>;
  let A: OutboxStore;
  let B: OutboxStore;
  let claimA: LeaseClaims;
  let claimB: LeaseClaims;
  let hook1: number;
  let hook2: number;
  let now: number;
  let seq = 0;

  const stores = (perWebhook: number) => {
    A = new OutboxStore(first.layer.db as Kysely<OutboxTables>, first.dialect, 'host-a:101:aaaa', perWebhook);
    B = new OutboxStore(second.layer.db as Kysely<OutboxTables>, second.dialect, 'host-b:202:bbbb', perWebhook);
    claimA = new LeaseClaims(first.layer.db as Kysely<LeaseTables>, first.dialect, A.owner, perWebhook);
    claimB = new LeaseClaims(second.layer.db as Kysely<LeaseTables>, second.dialect, B.owner, perWebhook);
  };
  beforeEach(async () => {
    now = NOW;
    first = await backend.open();
    await webhooksSchema(first);
    second = await backend.openAgain();
    db = first.layer.db as Kysely<any>;
    const add = async (name: string) =>
      Number(
        (await db.insertInto('webhooks').values({ name, url: `http://127.0.0.1:9/${name}`, event: 'payment_received', secret: 'whsec_x', created_at: 0, updated_at: 0 }).returning('id').executeTakeFirstOrThrow())
          .id,
      );
    hook1 = await add('one');
    hook2 = await add('two');
    stores(16);
  });

  /** An event with `n` targets of `webhookId`, at `now`. */
  const event = (webhookId: number | null, n: number, over: Partial<NewEvent> = {}): NewEvent => ({
    eventId: `evt_${++seq}`,
    event: 'payment_received',
    body: `{"n":${seq}}`,
    isTest: false,
    now,
    maxAttempts: 8,
    targets: Array.from({ length: n }, (_, i) => ({ webhookId, url: `http://127.0.0.1:9/${webhookId}`, msgId: `msg_${seq}_${i}` })),
    ...over,
  });
  const row = (id: number) => db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const webhook = (id: number) => db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const health = async (id: number) => {
    const h = await webhook(id);
    return { last_status: h.last_status, failing_since: h.failing_since, last_delivery_at: h.last_delivery_at, active: h.active };
  };
  const count = async (table: string) => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  /** Deliveries of a webhook leased now, by anyone: what the per-endpoint limit counts. */
  const leasedNow = async (webhookId: number) =>
    Number((await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll().as('n')).where('webhook_id', '=', webhookId).where('status', '=', 'pending').where('lease_until', '>', now).executeTakeFirstOrThrow()).n);
  const outcomes = async (deliveryId: number) => (await db.selectFrom('webhook_attempts').select('outcome').where('delivery_id', '=', deliveryId).orderBy('id').execute()).map((a) => a.outcome);

  type Target = Pick<LeasedRow, 'id' | 'webhook_id' | 'url' | 'attempts' | 'next_trigger'>;
  /** An attempt of `d` started at `at`, finished at `done`, and its health report. */
  const attempt = (d: Target, ok: boolean, at = now, done = at + 5, extra: Partial<NonNullable<AttemptToRecord['health']>> = {}): AttemptToRecord => ({
    attempt: {
      deliveryId: d.id,
      webhookId: d.webhook_id,
      trigger: d.next_trigger,
      attemptedAt: at,
      requestUrl: d.url,
      requestHeaders: { 'webhook-id': 'msg' },
      responseStatus: ok ? 200 : 500,
      responseHeaders: {},
      responseBody: '',
      durationMs: done - at,
      success: ok,
      errorClass: ok ? null : 'http',
      errorMessage: ok ? null : 'HTTP 500',
    },
    outcome: ok
      ? { status: 'succeeded', attempts: d.attempts + 1, nextAttemptAt: null, nextTrigger: d.next_trigger }
      : { status: 'pending', attempts: d.attempts + 1, nextAttemptAt: done + 5_000, nextTrigger: 'retry' },
    health: { webhookId: d.webhook_id!, ok, httpStatus: ok ? 200 : 500, at, done, gone: false, exhausted: false, disableAfterMs: 5 * DAY, ...extra },
  });
  /** Deliveries written by `enqueue`, as the attempt builder takes them. */
  const enqueued = async (webhookId: number, n: number): Promise<Target[]> =>
    (await A.enqueue(event(webhookId, n))).ids.map((id) => ({ id, webhook_id: webhookId, url: `http://127.0.0.1:9/${webhookId}`, attempts: 0, next_trigger: 'event' as const }));

  describe('writing an event', () => {
    it('writes the snapshot and one pending delivery per target in target order, and counts the event on each webhook', async () => {
      const e = event(hook1, 1);
      e.targets.push({ webhookId: hook2, url: 'http://127.0.0.1:9/two', msgId: 'msg_b' }, { webhookId: hook1, url: 'http://127.0.0.1:9/one', msgId: 'msg_c' });
      const w = await A.enqueue(e);
      expect(w.ids).to.have.length(3);
      expect(w).to.deep.include({ leaseUntil: undefined, leased: [false, false, false] });
      expect(await db.selectFrom('webhook_events').selectAll().where('id', '=', e.eventId).executeTakeFirstOrThrow()).to.deep.equal({ id: e.eventId, event: 'payment_received', body: e.body, is_test: 0, created_at: now });
      const rows = await Promise.all(w.ids.map(row));
      expect(rows.map((r) => [r.msg_id, r.webhook_id])).to.deep.equal(e.targets.map((t) => [t.msgId, t.webhookId]));
      expect(rows[0]).to.include({ status: 'pending', is_test: 0, attempts: 0, max_attempts: 8, next_trigger: 'event', next_attempt_at: now, lease_until: null, lease_owner: null, event_id: e.eventId, created_at: now, updated_at: now });
      expect((await webhook(hook1)).event_count).to.equal(2);
      expect((await webhook(hook2)).event_count).to.equal(1);
    });

    it('a test event: no due time, trigger test, never leased, not counted', async () => {
      const w = await A.enqueue(event(hook1, 1, { isTest: true, maxAttempts: 1, leaseUntil: now + LEASE }));
      expect(w).to.deep.include({ leaseUntil: undefined, leased: [false] });
      expect(await row(w.ids[0]!)).to.include({ is_test: 1, next_trigger: 'test', next_attempt_at: null, lease_until: null, lease_owner: null, max_attempts: 1 });
      expect((await webhook(hook1)).event_count).to.equal(0);
      expect(await claimA.claimDue(now, 10, LEASE), 'no worker takes it').to.deep.equal([]);
    });

    it('an event with no target writes only its snapshot', async () => {
      expect(await A.enqueue(event(hook1, 0))).to.deep.equal({ ids: [], leaseUntil: undefined, leased: [], offered: false });
      expect(await count('webhook_events')).to.equal(1);
      expect(await count('webhook_deliveries')).to.equal(0);
    });

    it('written on a caller\'s transaction, the rows commit or roll back with it', async () => {
      const typed = first.layer.db as Kysely<OutboxTables>;
      const failed = await typed
        .transaction()
        .execute(async (trx) => {
          await A.writeEvent(trx, event(hook1, 2));
          throw new Error('declined');
        })
        .then(() => 'committed', (e: Error) => e.message);
      expect(failed).to.equal('declined');
      expect([await count('webhook_events'), await count('webhook_deliveries'), (await webhook(hook1)).event_count]).to.deep.equal([0, 0, 0]);
      const w = await typed.transaction().execute((trx) => A.writeEvent(trx, event(hook1, 2)));
      expect(w.ids).to.have.length(2);
      expect([await count('webhook_events'), await count('webhook_deliveries'), (await webhook(hook1)).event_count]).to.deep.equal([1, 2, 2]);
    });

    it('fresh deliveries written leased carry the owner, within the limit counted across owners', async () => {
      stores(3);
      await B.enqueue(event(hook1, 2, { leaseUntil: now + LEASE }));
      expect(await leasedNow(hook1)).to.equal(2);
      const w = await A.enqueue(event(hook1, 3, { leaseUntil: now + LEASE }));
      expect(w.leased, 'one slot was left').to.deep.equal([true, false, false]);
      expect(w.offered, 'the others were left by the limit alone: no claim is woken for them').to.equal(true);
      expect(w.leaseUntil).to.equal(now + LEASE);
      expect(await row(w.ids[0]!)).to.include({ lease_owner: A.owner, lease_until: now + LEASE, next_attempt_at: now + LEASE });
      expect(await row(w.ids[1]!)).to.include({ lease_owner: null, lease_until: null, next_attempt_at: now });
      expect(await A.enqueue(event(hook1, 1, { leaseUntil: now + LEASE }))).to.deep.include({ leased: [false], leaseUntil: undefined });
      expect((await A.enqueue(event(null, 2, { leaseUntil: now + LEASE }))).leased, 'no webhook: no limit').to.deep.equal([true, true]);
      expect((await claimB.claimDue(now, 10, LEASE)).map((d) => d.id), 'leased rows are not claimed; webhook 1 is full').to.deep.equal([]);
      now += LEASE;
      expect((await A.enqueue(event(hook1, 1, { leaseUntil: now + LEASE }))).leased, 'leases that ran out hold nothing').to.deep.equal([true]);
    });

    it('PostgreSQL: concurrent writes of two processes never lease more than the limit', async function () {
      if (backend.name !== 'postgres') return this.skip();
      stores(3);
      const written = await Promise.all([A, B, A, B].map((s) => s.enqueue(event(hook1, 3, { leaseUntil: now + LEASE }))));
      const leased = written.flatMap((w) => w.leased).filter(Boolean).length;
      expect(leased).to.be.at.most(3).and.at.least(1);
      expect(await leasedNow(hook1)).to.equal(leased);
      expect(await count('webhook_deliveries')).to.equal(12);
      expect((await webhook(hook1)).event_count).to.equal(12);
    });

    it('PostgreSQL: a webhook whose claim lock another transaction holds gets its deliveries unleased, not waited for', async function () {
      if (backend.name !== 'postgres') return this.skip();
      await (second.layer.db as Kysely<any>).transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_KEY}, ${hook1})`.execute(trx);
        const w = await A.enqueue({ ...event(hook1, 1, { leaseUntil: now + LEASE }), targets: [...event(hook1, 1).targets, ...event(hook2, 1).targets] });
        expect(w.leased, 'webhook 1 locked, webhook 2 free').to.deep.equal([false, true]);
        expect(w.offered, 'left by the lock, not the limit: the worker is woken for a claim').to.equal(false);
      });
      expect((await A.enqueue(event(hook1, 1, { leaseUntil: now + LEASE }))).leased, 'lock released').to.deep.equal([true]);
    });
  });

  describe('recording attempts', () => {
    it('a batch is recorded in one transaction, in order: attempt rows, delivery states, health', async () => {
      const ds = await enqueued(hook1, 3);
      const t = now;
      const results = await A.recordAttempts([attempt(ds[0]!, false, t + 1, t + 5), attempt(ds[1]!, true, t + 2, t + 5), attempt(ds[2]!, false, t + 3, t + 5)]);
      expect(results).to.deep.equal([0, 1, 2].map(() => ({ disabled: null, superseded: false })));
      expect((await db.selectFrom('webhook_attempts').select('delivery_id').orderBy('id').execute()).map((r) => r.delivery_id)).to.deep.equal(ds.map((d) => d.id));
      expect(await health(hook1)).to.include({ last_status: 'failure', failing_since: t + 3, last_delivery_at: t + 3 });
      expect(await row(ds[1]!.id)).to.include({ status: 'succeeded', attempts: 1, next_attempt_at: null, lease_until: null, last_attempt_at: t + 2, last_http_status: 200, last_error: null, updated_at: t + 2 });
      expect(await row(ds[0]!.id)).to.include({ status: 'pending', attempts: 1, next_attempt_at: t + 5 + 5_000, next_trigger: 'retry', last_error: 'HTTP 500' });
      const a = await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', ds[0]!.id).executeTakeFirstOrThrow();
      expect(a).to.include({ webhook_id: hook1, trigger: 'event', attempted_at: t + 1, request_headers: '{"webhook-id":"msg"}', response_status: 500, response_headers: '{}', duration_ms: 4, success: 0, error_class: 'http', outcome: 'retrying' });
    });

    it('an attempt whose transaction fails stores nothing of it', async () => {
      const [d] = await enqueued(hook1, 1);
      const bad = attempt(d!, true);
      (bad.attempt as { requestUrl: unknown }).requestUrl = null;
      const error = await A.recordAttempt(bad).then(() => 'recorded', (e: Error) => e.message);
      expect(error).to.match(/NOT NULL|not-null/i);
      expect(await row(d!.id)).to.include({ status: 'pending', attempts: 0 });
      expect(await count('webhook_attempts')).to.equal(0);
      expect((await webhook(hook1)).last_status).to.equal(null);
    });

    it('attempts finishing in one turn share one transaction (group commit); a bad one is rejected alone and the others are stored', async () => {
      const ones = await enqueued(hook1, 3);
      const twos = await enqueued(hook2, 2);
      const t = now;
      const before = { ...A.recordStats };
      // Arrival order mixes the webhooks: rows are written in arrival order, health by webhook.
      const all = [attempt(twos[0]!, true, t + 1), attempt(ones[0]!, false, t + 2), attempt(ones[1]!, true, t + 3), attempt(twos[1]!, false, t + 4), attempt(ones[2]!, false, t + 5)];
      const results = await Promise.all(all.map((r) => A.recordAttempt(r)));
      expect(results).to.deep.equal(all.map(() => ({ disabled: null, superseded: false })));
      expect(A.recordStats.commits - before.commits, 'one COMMIT').to.equal(1);
      expect(A.recordStats.attempts - before.attempts).to.equal(5);
      expect(await health(hook1)).to.include({ last_status: 'failure', failing_since: t + 5, last_delivery_at: t + 5 });
      expect(await health(hook2)).to.include({ last_status: 'failure', failing_since: t + 4, last_delivery_at: t + 4 });
      expect((await db.selectFrom('webhook_attempts').select('delivery_id').orderBy('id').execute()).map((r) => r.delivery_id)).to.deep.equal([twos[0], ones[0], ones[1], twos[1], ones[2]].map((d) => d!.id));

      const more = await enqueued(hook1, 2);
      const bad = attempt(more[0]!, true, t + 10);
      (bad.attempt as { requestUrl: unknown }).requestUrl = null;
      const settled = await Promise.allSettled([A.recordAttempt(bad), A.recordAttempt(attempt(more[1]!, true, t + 11))]);
      expect(settled[0]).to.have.property('status', 'rejected');
      expect(String((settled[0] as PromiseRejectedResult).reason)).to.match(/NOT NULL|not-null/i);
      expect(settled[1]).to.deep.equal({ status: 'fulfilled', value: { disabled: null, superseded: false } });
      expect(await row(more[0]!.id)).to.include({ status: 'pending', attempts: 0 });
      expect(await row(more[1]!.id)).to.include({ status: 'succeeded', attempts: 1 });
      expect(await outcomes(more[0]!.id)).to.deep.equal([]);
    });

    it('health comes from the row\'s current values: an older attempt finishing later never overwrites a newer outcome', async () => {
      const ds = await enqueued(hook1, 6);
      const t = now;
      const step = async (i: number, at: number, done: number, ok: boolean) => (await A.recordAttempts([attempt(ds[i]!, ok, t + at, t + done)]))[0];
      await step(0, 100, 150, false);
      expect(await health(hook1), 'a failure opens the window').to.include({ last_status: 'failure', failing_since: t + 100 });
      await step(1, 200, 210, true);
      expect(await health(hook1), 'a success closes it').to.include({ last_status: 'success', failing_since: null });
      await step(2, 120, 300, false);
      expect(await health(hook1), 'a failure that started before the success, finishing after it, changes nothing').to.include({ last_status: 'success', failing_since: null, last_delivery_at: t + 200 });
      await step(3, 250, 260, false);
      await step(4, 210, 400, true);
      expect(await health(hook1), 'a success older than a recorded failure keeps that failure\'s window').to.include({ last_status: 'failure', failing_since: t + 250 });
      await step(5, 240, 410, false);
      expect(await health(hook1), 'a failure after the last success, older than the window start, moves the start back').to.include({ failing_since: t + 240 });
    });

    it('a success in flight with an older failure: the failure never reopens the window nor disables the endpoint', async () => {
      const ds = await enqueued(hook1, 2);
      const t = now;
      await db.updateTable('webhooks').set({ failing_since: t - 6 * DAY }).where('id', '=', hook1).execute();
      await A.recordAttempts([attempt(ds[1]!, true, t + 10, t + 20)]);
      const [r] = await A.recordAttempts([attempt(ds[0]!, false, t, t + 30, { exhausted: true })]);
      expect(r).to.deep.equal({ disabled: null, superseded: false });
      expect(await health(hook1)).to.include({ active: 1, last_status: 'success', failing_since: null });
    });

    it('the disable decision: an exhausted failure after the window disables once; 410 disables unless a newer attempt succeeded', async () => {
      const ds = await enqueued(hook1, 4);
      const t = now;
      await A.recordAttempts([attempt(ds[0]!, false, t, t + 1)]);
      const [early] = await A.recordAttempts([attempt(ds[1]!, false, t + DAY, t + DAY, { exhausted: true })]);
      expect(early, 'inside the window').to.deep.equal({ disabled: null, superseded: false });
      const [late] = await A.recordAttempts([attempt(ds[2]!, false, t + 5 * DAY, t + 5 * DAY, { exhausted: true })]);
      expect(late).to.deep.equal({ disabled: 'failing', superseded: false });
      expect(await webhook(hook1)).to.include({ active: 0, disabled_reason: 'failing', disabled_at: t + 5 * DAY });
      const [again] = await A.recordAttempts([attempt(ds[3]!, false, t + 5 * DAY, t + 5 * DAY + 1, { exhausted: true })]);
      expect(again, 'only the attempt that disabled it says so').to.deep.equal({ disabled: null, superseded: false });

      const [a, b] = await enqueued(hook2, 2);
      await A.recordAttempts([attempt(b!, true, t + 10, t + 11)]);
      const [stale] = await A.recordAttempts([attempt(a!, false, t, t + 12, { gone: true, exhausted: true })]);
      expect(stale, 'a stale 410').to.deep.equal({ disabled: null, superseded: false });
      const [c] = await enqueued(hook2, 1);
      const [gone] = await A.recordAttempts([attempt(c!, false, t + 20, t + 21, { gone: true })]);
      expect(gone, 'a 410 newer than the last success').to.deep.equal({ disabled: 'gone', superseded: false });
      expect(await webhook(hook2)).to.include({ active: 0, disabled_reason: 'gone', disabled_at: t + 21 });
    });

    it('an attempt A records after B took the delivery over never overwrites B\'s state (superseded)', async () => {
      const { ids } = await A.enqueue(event(hook1, 1));
      const id = ids[0]!;
      const [byA] = await claimA.claimDue(now, 10, LEASE);
      now += LEASE; // A hangs past its lease…
      const [byB] = await claimB.claimDue(now, 10, LEASE); // …and B takes the delivery over.
      expect(byB?.id).to.equal(id);

      const [stale] = await A.recordAttempts([attempt(byA!, false, now, now + 5, { exhausted: true })]);
      expect(stale).to.deep.equal({ disabled: null, superseded: true });
      expect(await row(id)).to.include({ status: 'pending', attempts: 0, lease_owner: B.owner, lease_until: now + LEASE, last_error: null });
      expect(await outcomes(id), 'the duplicate is in the log; it decided nothing, so it is not "failed"').to.deep.equal(['retrying']);
      expect(await A.cancel(id, 'Not sent: the webhook is inactive.', now), 'nor can A cancel it').to.equal(false);
      expect((await row(id)).status).to.equal('pending');

      now += 10;
      expect(await B.recordAttempts([attempt(byB!, true)])).to.deep.equal([{ disabled: null, superseded: false }]);
      expect(await row(id)).to.include({ status: 'succeeded', attempts: 1, lease_until: null, lease_owner: B.owner });

      now += 10;
      expect(await A.recordAttempts([attempt(byA!, false, now, now + 5, { gone: true, exhausted: true })]), 'a stale 410 disables nothing').to.deep.equal([{ disabled: null, superseded: true }]);
      expect(await row(id)).to.include({ status: 'succeeded', attempts: 1 });
      expect((await webhook(hook1)).active).to.equal(1);
      expect(await outcomes(id)).to.deep.equal(['retrying', 'success', 'retrying']);
    });

    it('an attempt recorded after its own lease ran out, nobody having taken it, still counts', async () => {
      const { ids } = await A.enqueue(event(hook1, 1));
      const [d] = await claimA.claimDue(now, 10, LEASE);
      now += 2 * LEASE;
      expect(await A.recordAttempt(attempt(d!, true))).to.deep.equal({ disabled: null, superseded: false });
      expect(await row(ids[0]!)).to.include({ status: 'succeeded', attempts: 1 });
    });

    it('a test send (never leased) is recorded by any worker, with no outcome', async () => {
      const { ids } = await A.enqueue(event(hook1, 1, { isTest: true, maxAttempts: 1 }));
      const d = { id: ids[0]!, webhook_id: hook1, url: 'http://127.0.0.1:9/one', attempts: 0, next_trigger: 'test' as const };
      const r = attempt(d, true);
      delete r.health;
      expect(await B.recordAttempt(r)).to.deep.equal({ disabled: null, superseded: false });
      expect(await outcomes(ids[0]!)).to.deep.equal([null]);
      expect(await health(hook1)).to.include({ last_status: null });
    });
  });

  describe('the same rules as the synchronous store', () => {
    it('SQLite: one script through OutboxStore and through DeliveriesStore writes the same rows and answers the same', async function () {
      if (backend.name !== 'sqlite') return this.skip();
      stores(3);
      const sync = new DeliveriesStore(first.sync!, () => now, undefined, { owner: A.owner, perWebhook: 3 });
      interface Driver {
        enqueue(e: NewEvent): Promise<Enqueued>;
        record(batch: AttemptToRecord[]): Promise<Recorded[]>;
        cancel(id: number, reason: string, at: number): Promise<unknown>;
      }
      const viaQuery: Driver = { enqueue: (e) => A.enqueue(e), record: (b) => A.recordAttempts(b), cancel: (id, r, at) => A.cancel(id, r, at) };
      const viaSync: Driver = { enqueue: async (e) => sync.enqueueLeased(e), record: async (b) => sync.recordAttempts(b), cancel: async (id, r, at) => sync.cancel(id, r, at) };
      const script = async (d: Driver, hook: number) => {
        const t = NOW;
        const w = await d.enqueue(event(hook, 5, { leaseUntil: t + LEASE }));
        const test = await d.enqueue(event(hook, 1, { isTest: true, maxAttempts: 1, leaseUntil: t + LEASE }));
        const ds = w.ids.map((id) => ({ id, webhook_id: hook, url: `http://127.0.0.1:9/${hook}`, attempts: 0, next_trigger: 'event' as const }));
        const testSend = attempt({ ...ds[0]!, id: test.ids[0]!, next_trigger: 'test' }, true, t + 50, t + 60);
        delete testSend.health;
        const recorded = await d.record([
          attempt(ds[0]!, false, t + 100, t + 150),
          attempt(ds[1]!, true, t + 200, t + 210),
          attempt(ds[2]!, false, t + 120, t + 300),
          attempt(ds[3]!, false, t + 250, t + 5 * DAY, { exhausted: true }),
          attempt(ds[0]!, false, t + 6 * DAY, t + 6 * DAY + 1, { exhausted: true }),
          testSend,
        ]);
        await d.cancel(ds[4]!.id, 'Not sent: the webhook is inactive.', t + 7 * DAY);
        return { leased: w.leased, leaseUntil: w.leaseUntil, test: test.leased, recorded };
      };
      const hook3 = Number((await db.insertInto('webhooks').values({ name: 'three', url: 'http://127.0.0.1:9/3', event: 'payment_received', secret: 'whsec_x', created_at: 0, updated_at: 0 }).returning('id').executeTakeFirstOrThrow()).id);
      const answers = [await script(viaQuery, hook1), await script(viaSync, hook3)];
      expect(answers[0]).to.deep.equal(answers[1]);
      expect(answers[0]!.recorded.map((r) => r.disabled)).to.deep.equal([null, null, null, null, 'failing', null]);
      /** A webhook's rows without the ids and names that differ between the two runs. */
      const rowsOf = async (hook: number) => ({
        webhook: await db.selectFrom('webhooks').select(['active', 'disabled_reason', 'disabled_at', 'event_count', 'last_status', 'last_http_status', 'last_delivery_at', 'last_success_at', 'failing_since']).where('id', '=', hook).executeTakeFirstOrThrow(),
        deliveries: (await db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', hook).orderBy('id').execute()).map(({ id: _i, msg_id: _m, event_id: _e, webhook_id: _w, url: _u, ...r }) => r),
        attempts: (await db.selectFrom('webhook_attempts').selectAll().where('webhook_id', '=', hook).orderBy('id').execute()).map(({ id: _i, delivery_id: _d, webhook_id: _w, request_url: _u, ...r }) => r),
      });
      const [q, s] = [await rowsOf(hook1), await rowsOf(hook3)];
      expect(q.attempts).to.have.length(6);
      expect(q).to.deep.equal(s);
    });
  });

  describe('cancel', () => {
    it('ends a pending delivery nobody holds, or this worker holds; never another worker\'s', async () => {
      const { ids } = await A.enqueue(event(hook1, 3));
      expect(await B.cancel(ids[0]!, 'Not sent: the webhook is inactive.', now + 1)).to.equal(true);
      expect(await row(ids[0]!)).to.include({ status: 'cancelled', lease_until: null, next_attempt_at: null, last_error: 'Not sent: the webhook is inactive.', updated_at: now + 1 });
      const taken = await claimA.claimDue(now, 10, LEASE);
      expect(taken.map((d) => d.id)).to.deep.equal(ids.slice(1));
      expect(await B.cancel(ids[1]!, 'x', now)).to.equal(false);
      expect(await A.cancel(ids[1]!, 'Not sent: the webhook was deleted.', now)).to.equal(true);
      expect(await row(ids[1]!)).to.include({ status: 'cancelled', lease_until: null });
      expect(await claimB.claimDue(now + LEASE, 10, LEASE), 'a cancelled delivery is never due').to.have.length(1);
    });
  });
});
