import { expect } from 'chai';
import type { Kysely } from 'kysely';
import type { Enqueued } from '../../../plugins/webhooks/data/deliveries-store.js';
import { EventBatches, type BatchedEvent } from '../../../plugins/webhooks/data/event-batches.js';
import { OutboxStore, type OutboxTables } from '../../../plugins/webhooks/data/outbox-store.js';
import { forEachBackend } from '../../helpers/backends.js';
import { webhooksSchema } from '../../helpers/webhooks-schema.js';

const NOW = 1_700_000_000_000;
const LEASE = 60_000;

/**
 * Group commit on the query layer (EventBatches): events fired by independent requests share a
 * transaction; one that fails rolls back alone; at most one batch is in flight. Batches are run
 * by hand (an injected schedule): no timers.
 */
forEachBackend('webhooks: event batches (group commit on the query layer)', (backend) => {
  let db: Kysely<OutboxTables>;
  let store: OutboxStore;
  let batches: EventBatches;
  let runs: Array<() => void>;
  let hook1: number;
  let hook2: number;
  let seq = 0;

  beforeEach(async () => {
    const t = await backend.open();
    await webhooksSchema(t);
    db = t.layer.db as Kysely<OutboxTables>;
    const add = async (name: string) =>
      Number((await (db as Kysely<any>).insertInto('webhooks').values({ name, url: `http://127.0.0.1:9/${name}`, event: 'e', secret: 'whsec_x', created_at: 0, updated_at: 0 }).returning('id').executeTakeFirstOrThrow()).id);
    hook1 = await add('one');
    hook2 = await add('two');
    store = new OutboxStore(db, t.dialect, 'host-a:1:aaaa', 16);
    runs = [];
    batches = new EventBatches(db, store, (flush) => void runs.push(flush));
  });

  const event = (hooks: number[], lease?: number): BatchedEvent => {
    const i = ++seq;
    return { eventId: `evt_${i}`, event: 'e', body: '{}', isTest: false, now: NOW, maxAttempts: 8, targets: hooks.map((h, k) => ({ webhookId: h, url: 'http://127.0.0.1:9/', msgId: `msg_${i}_${k}` })), lease: () => lease };
  };
  /** Runs the scheduled batch and waits until every given promise settled (a batch started meanwhile runs too). */
  const settle = async <T>(promises: Array<Promise<T>>) => {
    const all = Promise.allSettled(promises);
    let done = false;
    void all.then(() => (done = true));
    while (!done) {
      runs.splice(0).forEach((run) => run());
      await new Promise((r) => setImmediate(r));
    }
    return all;
  };
  const count = async (table: keyof OutboxTables) => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const eventCount = async (id: number) => (await db.selectFrom('webhooks').select('event_count').where('id', '=', id).executeTakeFirstOrThrow()).event_count;

  it('events staged in one turn share one transaction; each caller gets its own ids, after its committed callback', async () => {
    const seen: Enqueued[] = [];
    const ps = [event([hook1, hook2]), event([hook2]), event([hook1], NOW + LEASE)].map((e) => batches.add(e, (w) => void seen.push(w)));
    expect(await count('webhook_events'), 'nothing before the batch runs').to.equal(0);
    const results = await settle(ps);
    expect(batches.stats).to.deep.equal({ commits: 1, writes: 3 });
    const values = results.map((r) => (r as PromiseFulfilledResult<Enqueued>).value);
    expect(values.map((v) => v.ids.length)).to.deep.equal([2, 1, 1]);
    expect(values[2]).to.deep.include({ leased: [true], leaseUntil: NOW + LEASE });
    expect(seen).to.deep.equal(values);
    expect([await count('webhook_events'), await count('webhook_deliveries'), await eventCount(hook1), await eventCount(hook2)]).to.deep.equal([3, 4, 2, 2]);
  });

  it('an event that fails rolls back alone and fails only its caller', async () => {
    const ps = [event([hook1]), event([9_999]), event([hook2])].map((e) => batches.add(e, () => {}));
    const results = await settle(ps);
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect([await count('webhook_events'), await count('webhook_deliveries'), await eventCount(hook1), await eventCount(hook2)]).to.deep.equal([2, 2, 1, 1]);
  });

  it('a batch whose transaction fails fails every caller, and stores nothing', async () => {
    const failing = new EventBatches(db, { writeEvent: (trx, e, counts) => store.writeEvent(trx, e, counts), bumpCounts: async () => Promise.reject(new Error('disk full')) }, (flush) => void runs.push(flush));
    const results = await settle([event([hook1]), event([hook2])].map((e) => failing.add(e, () => {})));
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'stored'))).to.deep.equal(['disk full', 'disk full']);
    expect(await count('webhook_events')).to.equal(0);
  });

  it('at most one batch in flight: events fired while it commits form the next batch', async () => {
    const first = [batches.add(event([hook1]), () => {}), batches.add(event([hook1]), () => {})];
    runs.splice(0).forEach((run) => run());
    // The first batch is being written (its transaction awaits the database) …
    const later = [batches.add(event([hook2]), () => {}), batches.add(event([hook2]), () => {}), batches.add(event([hook2]), () => {})];
    expect(runs, 'no second batch while one is in flight').to.have.length(0);
    expect(batches.pending).to.equal(3);
    await settle([...first, ...later]);
    expect(batches.stats).to.deep.equal({ commits: 2, writes: 5 });
    expect([await eventCount(hook1), await eventCount(hook2)]).to.deep.equal([2, 3]);
  });
});
