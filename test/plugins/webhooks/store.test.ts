import { expect } from 'chai';
import type { AttemptToRecord, DeliveriesStore } from '../../../plugins/webhooks/data/deliveries-store.js';
import { sqliteHostOnly } from '../../helpers/app.js';
import { Receiver } from '../../helpers/receiver.js';
import { makeWebhooksApp, type WebhooksApp } from '../../helpers/webhooks.js';

const DAY = 86_400_000;

describe('plugins/webhooks outbox store', () => {
  let w: WebhooksApp;
  let store: DeliveriesStore;
  beforeEach(async () => {
    w = await makeWebhooksApp();
    store = w.service.deliveries!;
  });
  afterEach(() => w.hp.close());

  const webhook = async () => await w.api.async.create_webhook({ name: 'Endpoint', url: 'http://127.0.0.1:9/hook', event: 'payment_received' });
  const enqueue = (webhookId: number, n: number, now = w.clock.now) =>
    store.enqueue({
      eventId: `evt_${Math.random()}`,
      event: 'payment_received',
      body: '{}',
      isTest: false,
      now,
      maxAttempts: 8,
      targets: Array.from({ length: n }, (_, i) => ({ webhookId, url: 'http://127.0.0.1:9/hook', msgId: `msg_${Math.random()}_${i}` })),
    });

  describe('claim and lease', () => {
    sqliteHostOnly('DeliveriesStore is the synchronous SQLite outbox store (on PostgreSQL the same claims and records are LeaseClaims and OutboxStore: lease-claims.test.ts, outbox-store.test.ts, both backends)');
    it('leases what it claims, never hands a leased delivery out twice, and takes it back when the lease runs out', async () => {
      const wh = await webhook();
      const ids = enqueue(wh.id, 3);
      const now = w.clock.now;
      const first = store.claimDue(now, 2, 1_000);
      expect(first.map((d) => d.id)).to.deep.equal(ids.slice(0, 2));
      expect(first.every((d) => d.lease_until === now + 1_000)).to.equal(true);
      expect(store.claimDue(now, 10, 1_000).map((d) => d.id)).to.deep.equal([ids[2]]);
      expect(store.claimDue(now + 999, 10, 1_000), 'all leased').to.have.length(0);
      expect(store.claimDue(now + 1_000, 10, 1_000).map((d) => d.id).sort(), 'leases ran out').to.deep.equal([...ids].sort());
    });

    it('releaseLeases makes given deliveries due now, once (a released row is no longer held)', async () => {
      const wh = await webhook();
      const ids = enqueue(wh.id, 3);
      store.claimDue(w.clock.now, 3, 60_000);
      expect(store.releaseLeases([ids[0]!], w.clock.now)).to.equal(1);
      expect(store.releaseLeases([ids[0]!], w.clock.now), 'no longer held').to.equal(0);
      expect(store.get(ids[0]!)).to.include({ lease_until: null, lease_owner: null, next_attempt_at: w.clock.now });
      expect(store.claimDue(w.clock.now, 10, 60_000).map((d) => d.id)).to.deep.equal([ids[0]]);
    });
  });

  describe('recording attempts', () => {
    sqliteHostOnly('DeliveriesStore is the synchronous SQLite outbox store (on PostgreSQL the same claims and records are LeaseClaims and OutboxStore: lease-claims.test.ts, outbox-store.test.ts, both backends)');
    const attempt = (deliveryId: number, webhookId: number, at: number, done: number, ok: boolean, extra: Partial<NonNullable<AttemptToRecord['health']>> = {}): AttemptToRecord => ({
      attempt: {
        deliveryId,
        webhookId,
        trigger: 'event',
        attemptedAt: at,
        requestUrl: 'http://127.0.0.1:9/hook',
        requestHeaders: {},
        responseStatus: ok ? 200 : 500,
        responseHeaders: {},
        responseBody: '',
        durationMs: done - at,
        success: ok,
        errorClass: ok ? null : 'http',
        errorMessage: ok ? null : 'HTTP 500',
      },
      outcome: ok ? { status: 'succeeded', attempts: 1, nextAttemptAt: null, nextTrigger: 'event' } : { status: 'pending', attempts: 1, nextAttemptAt: done + 5_000, nextTrigger: 'retry' },
      health: { webhookId, ok, httpStatus: ok ? 200 : 500, at, done, gone: false, exhausted: false, disableAfterMs: 5 * DAY, ...extra },
    });
    const health = (id: number) => {
      const h = w.service.webhooks.get(id)! as ReturnType<typeof w.service.webhooks.get> & { last_success_at: number | null };
      return { last_status: h.last_status, failing_since: h.failing_since, last_delivery_at: h.last_delivery_at, active: h.active };
    };

    it('group commit: attempts finishing in one turn share one transaction, applied in arrival order', async () => {
      const wh = await webhook();
      const ids = enqueue(wh.id, 3);
      const before = { ...store.commits.stats };
      const t = w.clock.now;
      const results = await Promise.all([
        store.recordAttempt(attempt(ids[0]!, wh.id, t + 1, t + 5, false)),
        store.recordAttempt(attempt(ids[1]!, wh.id, t + 2, t + 5, true)),
        store.recordAttempt(attempt(ids[2]!, wh.id, t + 3, t + 5, false)),
      ]);
      expect(store.commits.stats.commits - before.commits, 'one transaction').to.equal(1);
      expect(store.commits.stats.writes - before.writes).to.equal(3);
      expect(results).to.deep.equal([{ disabled: null, superseded: false }, { disabled: null, superseded: false }, { disabled: null, superseded: false }]);
      const rows = w.hp.host.db.prepare('SELECT delivery_id FROM webhook_attempts ORDER BY id').all() as Array<{ delivery_id: number }>;
      expect(rows.map((r) => r.delivery_id)).to.deep.equal(ids);
      expect(health(wh.id)).to.include({ last_status: 'failure', failing_since: t + 3, last_delivery_at: t + 3 });
    });

    it('health comes from the row\'s current values: an older attempt finishing later never overwrites a newer outcome', async () => {
      const wh = await webhook();
      const ids = enqueue(wh.id, 8);
      const t = w.clock.now;
      const step = (i: number, at: number, done: number, ok: boolean, extra = {}) => store.recordAttempts([attempt(ids[i]!, wh.id, t + at, t + done, ok, extra)])[0];

      step(0, 100, 150, false);
      expect(health(wh.id), 'a failure opens the window').to.include({ last_status: 'failure', failing_since: t + 100 });
      step(1, 200, 210, true);
      expect(health(wh.id), 'a success closes it').to.include({ last_status: 'success', failing_since: null });
      step(2, 120, 300, false);
      expect(health(wh.id), 'a failure that started before the success, finishing after it, changes nothing').to.include({
        last_status: 'success',
        failing_since: null,
        last_delivery_at: t + 200,
      });
      step(3, 250, 260, false);
      step(4, 210, 400, true);
      expect(health(wh.id), 'a success older than a recorded failure keeps that failure\'s window').to.include({ last_status: 'failure', failing_since: t + 250 });
      step(5, 240, 410, false);
      expect(health(wh.id), 'a failure after the last success, older than the window start, moves the start back').to.include({ failing_since: t + 240 });
    });

    it('a success in flight with an older failure: the failure never reopens the window nor disables the endpoint', async () => {
      const wh = await webhook();
      const ids = enqueue(wh.id, 2);
      const t = w.clock.now;
      w.service.webhooks.update(wh.id, { failing_since: t - 6 * DAY });
      // The success started after the failure but is recorded first.
      store.recordAttempts([attempt(ids[1]!, wh.id, t + 10, t + 20, true)]);
      const [r] = store.recordAttempts([attempt(ids[0]!, wh.id, t, t + 30, false, { exhausted: true })]);
      expect(r).to.deep.equal({ disabled: null, superseded: false });
      expect(health(wh.id)).to.include({ active: true, last_status: 'success', failing_since: null });
    });

    it('the disable decision: an exhausted failure after the window disables once; 410 disables unless a newer attempt succeeded', async () => {
      const wh = await webhook();
      const ids = enqueue(wh.id, 4);
      const t = w.clock.now;
      store.recordAttempts([attempt(ids[0]!, wh.id, t, t + 1, false)]);
      const [early] = store.recordAttempts([attempt(ids[1]!, wh.id, t + DAY, t + DAY, false, { exhausted: true })]);
      expect(early, 'inside the window').to.deep.equal({ disabled: null, superseded: false });
      const [late] = store.recordAttempts([attempt(ids[2]!, wh.id, t + 5 * DAY, t + 5 * DAY, false, { exhausted: true })]);
      expect(late).to.deep.equal({ disabled: 'failing', superseded: false });
      expect(health(wh.id).active).to.equal(false);
      const [again] = store.recordAttempts([attempt(ids[3]!, wh.id, t + 5 * DAY, t + 5 * DAY + 1, false, { exhausted: true })]);
      expect(again, 'only the attempt that disabled it says so').to.deep.equal({ disabled: null, superseded: false });

      const other = await webhook();
      const [a, b] = enqueue(other.id, 2);
      store.recordAttempts([attempt(b!, other.id, t + 10, t + 11, true)]);
      const [gone] = store.recordAttempts([attempt(a!, other.id, t, t + 12, false, { gone: true, exhausted: true })]);
      expect(gone, 'a stale 410').to.deep.equal({ disabled: null, superseded: false });
    });
  });

  describe('through the engine', () => {
    it('a success and a slower, older failure to one endpoint in flight together: the endpoint stays healthy', async () => {
      const receiver = new Receiver();
      await receiver.start();
      try {
        const wh = await w.api.async.create_webhook({ name: 'Endpoint', url: `${receiver.url}/hook`, event: 'payment_received' });
        let release!: () => void;
        const hold = new Promise<void>((r) => (release = r));
        receiver.reply = (_req, i) => (i === 0 ? { status: 500, hold } : { status: 200 });
        w.service.worker.start();
        w.service.wu_do_event('payment_received', { n: 1 });
        await receiver.waitFor(1);
        w.clock.advance(1_000);
        w.service.wu_do_event('payment_received', { n: 2 });
        await receiver.waitFor(2);
        await until(async () => (await w.api.async.list_deliveries({ status: 'succeeded' })).total === 1);
        release();
        await until(async () => (await w.api.async.list_deliveries({ status: 'pending' })).items.some((d) => d.attempts === 1));
        const h = await w.api.async.get_webhook(wh.id);
        expect(h).to.include({ last_status: 'success', failing_since: null, last_http_status: 200, active: true });
      } finally {
        await w.service.worker.stop();
        await receiver.close();
      }
    });
  });
});

/** Waits for a condition the engine reaches asynchronously (each check after a turn of the event loop). */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}
