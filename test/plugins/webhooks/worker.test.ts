import { AsyncLocalStorage } from 'node:async_hooks';
import { expect } from 'chai';
import pino from 'pino';
import type { ClaimedDelivery } from '../../../plugins/webhooks/data/deliveries-store.js';
import { DeliveryWorker, type WorkerStore } from '../../../plugins/webhooks/delivery/worker.js';

/** An in-memory outbox: due deliveries, leases, and a log of what was handed back. */
class FakeStore implements WorkerStore {
  due: ClaimedDelivery[] = [];
  released: number[] = [];
  async claimDue(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return this.due.splice(0, limit).map((d) => ({ ...d, lease_until: now + leaseMs }));
  }
  async releaseLeases(ids: readonly number[]): Promise<number> {
    this.released.push(...ids);
    return ids.length;
  }
  async nextDueAt(): Promise<number | null> {
    return null;
  }
}

const delivery = (id: number, origin: string): ClaimedDelivery => ({
  id,
  msg_id: `msg_${id}`,
  webhook_id: id,
  event: 'payment_received',
  url: `${origin}/hook`,
  attempts: 0,
  max_attempts: 8,
  next_trigger: 'event',
  is_test: 0,
  body: '{}',
  lease_until: 0,
});

/** A dispatch whose requests stay in flight until the test finishes them. */
class FakeDispatch {
  readonly inflight = new Map<number, { d: ClaimedDelivery; signal: AbortSignal; finish: () => void }>();
  readonly started: number[] = [];
  maxInflight = 0;
  readonly maxPerOrigin = new Map<string, number>();
  readonly fn = (d: ClaimedDelivery, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      this.started.push(d.id);
      const finish = () => (this.inflight.delete(d.id), resolve());
      this.inflight.set(d.id, { d, signal, finish });
      signal.addEventListener('abort', finish, { once: true });
      this.maxInflight = Math.max(this.maxInflight, this.inflight.size);
      const origin = new URL(d.url).origin;
      const n = [...this.inflight.values()].filter((x) => new URL(x.d.url).origin === origin).length;
      this.maxPerOrigin.set(origin, Math.max(this.maxPerOrigin.get(origin) ?? 0, n));
    });
  finishAll(): void {
    for (const x of [...this.inflight.values()]) x.finish();
  }
}

describe('plugins/webhooks delivery worker (unit, fake store and dispatch)', () => {
  let now: number;
  let store: FakeStore;
  let dispatch: FakeDispatch;
  const worker = (o: Partial<ConstructorParameters<typeof DeliveryWorker>[0]> = {}) =>
    new DeliveryWorker({
      store,
      dispatch: dispatch.fn,
      clock: () => now,
      concurrency: 5,
      perEndpoint: 2,
      leaseMs: 1_000,
      batchSize: 100,
      pollMs: 1_000,
      stopGraceMs: 10_000,
      logger: pino({ level: 'silent' }),
      ...o,
    });
  beforeEach(() => {
    now = 1_000_000;
    store = new FakeStore();
    dispatch = new FakeDispatch();
  });

  it('holds to the global limit and to the per-endpoint limit, and sends everything', async () => {
    for (let i = 0; i < 30; i++) store.due.push(delivery(i, `http://host${i % 3}.test`));
    const wk = worker();
    const drained = wk.drain();
    await new Promise((r) => setImmediate(r));
    expect(dispatch.inflight.size).to.equal(5);
    while (dispatch.started.length < 30) {
      dispatch.finishAll();
      await new Promise((r) => setImmediate(r));
    }
    dispatch.finishAll();
    expect(await drained).to.equal(30);
    expect(dispatch.maxInflight).to.equal(5);
    expect(Math.max(...dispatch.maxPerOrigin.values())).to.equal(2);
    expect(new Set(dispatch.started).size).to.equal(30);
  });

  it('claims in its own async context, never in that of the code that woke it (a caller\'s open transaction)', async () => {
    const context = new AsyncLocalStorage<string>();
    let seen: string | undefined = 'no claim yet';
    const claim = store.claimDue.bind(store);
    store.claimDue = (n, limit, lease) => ((seen = context.getStore()), claim(n, limit, lease));
    const wk = worker();
    wk.start();
    for (let i = 0; i < 5 && seen === 'no claim yet'; i++) await new Promise((r) => setImmediate(r));
    expect(seen, 'the first claim').to.equal(undefined);
    seen = 'no claim yet';
    context.run('inside a caller transaction', () => {
      store.due.push(delivery(1, 'http://host.test'));
      wk.wake();
    });
    for (let i = 0; i < 5 && seen === 'no claim yet'; i++) await new Promise((r) => setImmediate(r));
    expect(seen).to.equal(undefined);
    expect(dispatch.started).to.deep.equal([1]);
    dispatch.finishAll();
    await wk.stop();
  });

  it('completions claim again only while a backlog may remain: a claim short of its limit took all that was due', async () => {
    let claims = 0;
    const claim = store.claimDue.bind(store);
    store.claimDue = (n, limit, lease) => (claims++, claim(n, limit, lease));
    for (let i = 0; i < 3; i++) store.due.push(delivery(i, `http://host${i}.test`));
    const wk = worker({ concurrency: 10 });
    wk.start();
    const turn = () => new Promise((r) => setImmediate(r));
    await turn();
    expect(claims).to.equal(1);
    dispatch.finishAll();
    for (let i = 0; i < 3; i++) await turn();
    expect(claims, 'no claim query per completion').to.equal(1);
    // Something became due (an event written due now, a resend): wake claims it.
    store.due.push(delivery(10, 'http://host0.test'));
    wk.wake();
    await turn();
    expect(claims).to.equal(2);
    expect(dispatch.started).to.include(10);
    await wk.stop(0);
  });

  it('rows held back by the per-endpoint limit are claimed once a quarter of the limit completed, not at every completion; heldBack() claims nothing', async () => {
    // One webhook, limit 8 in the database: a claim takes what its leases leave room for.
    const limit = 8;
    let leased = 0;
    let claims = 0;
    store.claimDue = async (n, max, lease) => {
      claims++;
      const taken = store.due.splice(0, Math.min(max, limit - leased)).map((d) => ({ ...d, lease_until: n + lease }));
      leased += taken.length;
      return taken;
    };
    store.nextDueAt = async () => (store.due.length ? now : null);
    for (let i = 0; i < 40; i++) store.due.push({ ...delivery(i, 'http://one.test'), webhook_id: 1 });
    const wk = worker({ concurrency: 64, perEndpoint: limit });
    wk.start();
    const turn = async () => {
      for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
    };
    await turn();
    expect(claims).to.equal(1);
    expect(dispatch.inflight.size).to.equal(8);
    // A new row of the full webhook: the outbox says it is held back — no claim.
    wk.heldBack();
    await turn();
    expect(claims).to.equal(1);
    const finish = async (k: number) => {
      for (const x of [...dispatch.inflight.values()].slice(0, k)) {
        leased--;
        x.finish();
      }
      await turn();
    };
    await finish(1);
    expect(claims, 'one completion: no claim yet').to.equal(1);
    await finish(1);
    expect(claims, 'two (a quarter of 8): one claim, for both freed leases').to.equal(2);
    expect(dispatch.inflight.size).to.equal(8);
    await wk.stop(0);
  });

  it('stop waits for a claim still running and hands its batch back: nothing stays leased to a stopped worker', async () => {
    for (let i = 0; i < 3; i++) store.due.push(delivery(i, 'http://one.test'));
    let answer: (() => void) | undefined;
    const claim = store.claimDue.bind(store);
    store.claimDue = (n, limit, lease) => new Promise((resolve) => (answer = () => resolve(claim(n, limit, lease))));
    const wk = worker();
    wk.start();
    await new Promise((r) => setImmediate(r));
    expect(answer, 'a claim is running').to.be.a('function');
    let stopped = false;
    const stopping = wk.stop(0).then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped, 'stop waits for the claim').to.equal(false);
    answer!();
    await stopping;
    expect(store.released.sort()).to.deep.equal([0, 1, 2]);
    expect(dispatch.started).to.deep.equal([]);
  });

  it('drain waits for a claim round of the running loop: what that round took is sent before drain resolves', async () => {
    store.due.push(delivery(1, 'http://one.test'));
    // The loop's claim takes (locks) the row at once but answers later; a claim meanwhile finds
    // nothing — as on PostgreSQL, where it skips the rows the running claim has locked.
    let answer: (() => void) | undefined;
    const claim = store.claimDue.bind(store);
    store.claimDue = (n, limit, lease) => {
      const taken = claim(n, limit, lease);
      store.claimDue = claim;
      return new Promise((resolve) => (answer = () => resolve(taken)));
    };
    const wk = worker();
    wk.start();
    await new Promise((r) => setImmediate(r));
    expect(answer, 'the loop\'s claim is running').to.be.a('function');
    let drained = false;
    const draining = wk.drain().then(() => (drained = true));
    await new Promise((r) => setImmediate(r));
    expect(drained, 'drain waits for the running claim').to.equal(false);
    answer!();
    while (dispatch.started.length === 0) await new Promise((r) => setImmediate(r));
    expect(drained, 'drain waits for the delivery in flight').to.equal(false);
    dispatch.finishAll();
    await draining;
    expect(dispatch.started).to.deep.equal([1]);
    await wk.stop(0);
  });

    it('a hanging endpoint never takes the slots of the others', async () => {
    for (let i = 0; i < 20; i++) store.due.push(delivery(i, 'http://hanging.test'));
    store.due.push(delivery(100, 'http://healthy.test'));
    const wk = worker();
    void wk.drain();
    await new Promise((r) => setImmediate(r));
    expect(dispatch.started).to.include(100);
    expect(dispatch.started.filter((id) => id < 100)).to.have.length(2);
    await wk.stop(0);
  });

  it('never sends a delivery whose lease ran out while it waited in the queue', async () => {
    for (let i = 0; i < 4; i++) store.due.push(delivery(i, 'http://one.test'));
    const wk = worker({ perEndpoint: 1 });
    const drained = wk.drain();
    await new Promise((r) => setImmediate(r));
    expect(dispatch.started).to.deep.equal([0]);
    now += 1_000; // the queued ones' leases (1 s) run out: another claim may own them now
    dispatch.finishAll();
    await drained;
    expect(dispatch.started, 'expired leases dropped, not sent').to.deep.equal([0]);
  });

  it('stop starts nothing new, hands the queue back, and waits for requests in flight', async () => {
    for (let i = 0; i < 6; i++) store.due.push(delivery(i, 'http://one.test'));
    const wk = worker();
    wk.start();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(dispatch.started).to.deep.equal([0, 1]);
    let stopped = false;
    const stopping = wk.stop(60_000).then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(store.released.sort()).to.deep.equal([2, 3, 4, 5]);
    expect(stopped, 'still waiting for the two in flight').to.equal(false);
    dispatch.inflight.get(0)!.finish();
    await new Promise((r) => setImmediate(r));
    expect(stopped).to.equal(false);
    expect(dispatch.started, 'nothing new started').to.deep.equal([0, 1]);
    dispatch.inflight.get(1)!.finish();
    await stopping;
    expect(stopped).to.equal(true);
  });

  it('stop aborts what is still in flight when the grace ends', async () => {
    store.due.push(delivery(1, 'http://one.test'));
    const wk = worker();
    wk.start();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const { signal } = dispatch.inflight.get(1)!;
    await wk.stop(0);
    expect(signal.aborted).to.equal(true);
  });

  it('keeps running when a dispatch throws', async () => {
    store.due.push(delivery(1, 'http://one.test'), delivery(2, 'http://one.test'));
    const seen: number[] = [];
    const wk = worker({
      perEndpoint: 1,
      dispatch: async (d) => {
        seen.push(d.id);
        if (d.id === 1) throw new Error('boom');
      },
    });
    expect(await wk.drain()).to.equal(2);
    expect(seen).to.deep.equal([1, 2]);
  });
});
