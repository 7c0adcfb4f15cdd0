import { expect } from 'chai';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { scopedTransactions } from '../../../core/db/transaction-scope.js';
import { runInUnitOfWork } from '../../../core/http/unit-of-work.js';
import { createHooks } from '../../../core/hooks/index.js';
import { DeliveriesStore, type ClaimedDelivery } from '../../../plugins/webhooks/data/deliveries-store.js';
import { EventBatches } from '../../../plugins/webhooks/data/event-batches.js';
import { OutboxStore, type OutboxTables } from '../../../plugins/webhooks/data/outbox-store.js';
import { Outbox } from '../../../plugins/webhooks/delivery/outbox.js';
import type { EventRegistry } from '../../../plugins/webhooks/events/registry.js';
import { forEachBackend } from '../../helpers/backends.js';
import { webhooksSchema } from '../../helpers/webhooks-schema.js';

const NOW = 1_700_000_000_000;
const LEASE = 60_000;

/**
 * The transactional outbox on both backends: `wu_do_event` (Outbox.fire) called from inside an
 * `api.db` transaction (a hook fired by the caller's change) stages its rows in that
 * transaction; they commit or roll back with it, and the worker is offered them only after
 * COMMIT. Outside a transaction, a unit of work (an HTTP request) finishes only once the event
 * is stored — SQLite through the group commit, PostgreSQL through a transaction of its own.
 */
forEachBackend('webhooks: the transactional outbox (wu_do_event inside api.db transactions)', (backend) => {
  let db: Kysely<any>;
  let outbox: Outbox;
  let targets: Array<{ id: number; url: string }>;
  let room: boolean;
  let taken: ClaimedDelivery[];
  let wakes: number;
  let heldBacks: number;
  let errors: unknown[];

  beforeEach(async () => {
    const t = await backend.open();
    await webhooksSchema(t);
    // api.db as a plugin gets it: transactions scoped (core/plugins/plugin-api.ts).
    db = scopedTransactions(t.layer.db as Kysely<any>);
    await db.schema.createTable('orders').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
    const add = async (name: string) =>
      Number((await db.insertInto('webhooks').values({ name, url: `http://127.0.0.1:9/${name}`, event: 'payment_received', secret: 'whsec_x', created_at: 0, updated_at: 0 }).returning('id').executeTakeFirstOrThrow()).id);
    targets = [
      { id: await add('one'), url: 'http://127.0.0.1:9/one' },
      { id: await add('two'), url: 'http://127.0.0.1:9/two' },
    ];
    room = true;
    taken = [];
    wakes = 0;
    heldBacks = 0;
    errors = [];
    const owner = 'host-a:1:aaaa';
    const logger = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line)) });
    const query = new OutboxStore(db as Kysely<OutboxTables>, t.dialect, owner, 16);
    const batches = new EventBatches(db as Kysely<OutboxTables>, query);
    outbox = new Outbox({
      events: { get: (slug: string) => (slug === 'payment_received' ? {} : undefined) } as unknown as Pick<EventRegistry, 'get'>,
      webhooks: { activeFor: () => targets },
      store: t.sync ? new DeliveriesStore(t.sync, () => NOW, undefined, { owner, perWebhook: 16 }) : (undefined as never),
      query: { writeEvent: (trx, e, counts) => query.writeEvent(trx, e, counts), bumpCounts: (trx, counts) => query.bumpCounts(trx, counts), enqueueLater: (e, committed) => batches.add(e, committed) },
      dialect: t.dialect,
      worker: { canTake: () => room, take: (batch) => void taken.push(...batch), wake: () => void wakes++, heldBack: () => void heldBacks++, leaseMs: LEASE },
      db: t.sync ?? { inTransaction: false },
      hooks: createHooks(),
      logger,
      clock: () => NOW,
      version: '1.0.0',
      maxAttempts: 8,
    });
  });

  const count = async (table: string) => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const counts = async () => ({ orders: await count('orders'), events: await count('webhook_events'), deliveries: await count('webhook_deliveries') });
  /** The caller's change: an order, and the event its hook fires, in one api.db transaction. */
  const order = (id: number, then: () => void = () => {}) =>
    db.transaction().execute(async (trx) => {
      await trx.insertInto('orders').values({ id }).execute();
      const eventId = outbox.fire('payment_received', { order: id });
      expect(taken, 'nothing offered before COMMIT').to.deep.equal([]);
      expect(wakes).to.equal(0);
      then();
      return eventId;
    });

  it('fired inside a transaction that throws: no rows, nothing offered to the worker', async () => {
    const failed = await order(1, () => {
      throw new Error('card declined');
    }).then(
      () => 'committed',
      (e: Error) => e.message,
    );
    expect(failed).to.equal('card declined');
    expect(await counts()).to.deep.equal({ orders: 0, events: 0, deliveries: 0 });
    expect(taken).to.deep.equal([]);
    expect(wakes).to.equal(0);
  });

  it('fired inside a transaction that commits: the rows commit with the change, and the worker is offered them after COMMIT', async () => {
    const eventId = await order(1);
    expect(eventId).to.match(/^evt_/);
    expect(await counts()).to.deep.equal({ orders: 1, events: 1, deliveries: 2 });
    const rows = await db.selectFrom('webhook_deliveries').selectAll().orderBy('id').execute();
    expect(rows.map((r) => [r.event_id, r.webhook_id, r.lease_owner, r.lease_until])).to.deep.equal(targets.map((t) => [eventId, t.id, 'host-a:1:aaaa', NOW + LEASE]));
    expect(taken.map((d) => d.id)).to.deep.equal(rows.map((r) => r.id));
    expect(taken[0]).to.include({ lease_until: NOW + LEASE, event: 'payment_received', attempts: 0, next_trigger: 'event' });
    expect(JSON.parse(taken[0]!.body)).to.deep.equal({ order: 1, hookpress_version: '1.0.0' });
    expect((await db.selectFrom('webhooks').select('event_count').where('id', '=', targets[0]!.id).executeTakeFirstOrThrow()).event_count).to.equal(1);
  });

  it('several events in one transaction: their rows and the webhooks\' event counts commit together', async () => {
    const [one, two] = targets;
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('orders').values({ id: 1 }).execute();
      targets = [two!];
      outbox.fire('payment_received', { n: 1 });
      targets = [one!, two!];
      outbox.fire('payment_received', { n: 2 });
      targets = [one!];
      outbox.fire('payment_received', { n: 3 });
    });
    expect(await counts()).to.deep.equal({ orders: 1, events: 3, deliveries: 4 });
    const eventCounts = await db.selectFrom('webhooks').select('event_count').orderBy('id').execute();
    expect(eventCounts.map((r) => r.event_count)).to.deep.equal([2, 2]);
    expect(taken).to.have.length(4);
  });

  it('PostgreSQL: transactions firing events of the same webhooks in opposite orders all commit (counts bumped in one order, no deadlock)', async function () {
    if (backend.name !== 'postgres') return this.skip();
    const [one, two] = targets;
    const tx = (id: number, order: Array<{ id: number; url: string }>) =>
      db.transaction().execute(async (trx) => {
        await trx.insertInto('orders').values({ id }).execute();
        for (const t of order) {
          targets = [t];
          outbox.fire('payment_received', { order: id });
        }
      });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => tx(i + 1, i % 2 ? [one!, two!] : [two!, one!])));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).to.deep.equal([]);
    expect((await db.selectFrom('webhooks').select('event_count').orderBy('id').execute()).map((r) => r.event_count)).to.deep.equal([8, 8]);
  });

  it('a worker with no room: the rows are written due now and the worker is woken after COMMIT, for a claim', async () => {
    room = false;
    await order(1);
    expect(await db.selectFrom('webhook_deliveries').select(['lease_owner', 'next_attempt_at']).execute()).to.deep.equal(targets.map(() => ({ lease_owner: null, next_attempt_at: NOW })));
    expect(taken).to.deep.equal([]);
    expect(wakes).to.equal(1);
  });

  it('a webhook at its per-endpoint limit: its row is written due now and the worker told it is held back (no claim woken); the other webhook\'s is taken', async () => {
    // 16 leases of webhook one held now (another worker's): its limit.
    await db.insertInto('webhook_events').values({ id: 'evt_held', event: 'payment_received', body: '{}', is_test: 0, created_at: NOW }).execute();
    for (let i = 0; i < 16; i++) {
      await db
        .insertInto('webhook_deliveries')
        .values({ msg_id: `msg_held_${i}`, webhook_id: targets[0]!.id, event_id: 'evt_held', event: 'payment_received', url: targets[0]!.url, status: 'pending', is_test: 0, attempts: 0, max_attempts: 8, next_trigger: 'event', next_attempt_at: NOW + LEASE, lease_until: NOW + LEASE, lease_owner: 'host-b:2:bbbb', created_at: NOW, updated_at: NOW })
        .execute();
    }
    await order(1);
    expect(taken.map((d) => d.webhook_id)).to.deep.equal([targets[1]!.id]);
    expect(wakes).to.equal(0);
    expect(heldBacks).to.equal(1);
  });

  it('an event write that fails rolls the caller\'s change back with it', async () => {
    targets = [{ id: 9_999, url: 'http://127.0.0.1:9/gone' }]; // deleted meanwhile: its foreign key fails
    const failed = await order(1).then(
      () => 'committed',
      () => 'rolled back',
    );
    expect(failed).to.equal('rolled back');
    expect(await counts()).to.deep.equal({ orders: 0, events: 0, deliveries: 0 });
    expect(taken).to.deep.equal([]);
  });

  it('outside a transaction, a unit of work (a request) finishes only once the event is stored; a failed write fails it', async () => {
    const eventId = await runInUnitOfWork(() => outbox.fire('payment_received', { n: 1 }));
    expect(await counts()).to.deep.include({ events: 1, deliveries: 2 });
    expect((await db.selectFrom('webhook_events').select('id').executeTakeFirstOrThrow()).id).to.equal(eventId);
    expect(taken).to.have.length(2);

    targets = [{ id: 9_999, url: 'http://127.0.0.1:9/gone' }];
    const failed = await runInUnitOfWork(() => outbox.fire('payment_received', { n: 2 })).then(
      () => 'answered',
      () => 'failed',
    );
    expect(failed, 'the request is not answered as a success (503)').to.equal('failed');
    expect(await counts()).to.deep.include({ events: 1, deliveries: 2 });
  });

  it('PostgreSQL, outside a transaction and a unit of work: written in the background, a failure logged', async function () {
    if (backend.name !== 'postgres') return this.skip();
    outbox.fire('payment_received', { n: 1 });
    targets = [{ id: 9_999, url: 'http://127.0.0.1:9/gone' }];
    outbox.fire('payment_received', { n: 2 });
    // Nothing to await: poll (each check after a turn of the event loop), for at most 5 s.
    for (const deadline = Date.now() + 5_000; (errors.length === 0 || taken.length < 2) && Date.now() < deadline; ) await new Promise((r) => setImmediate(r));
    expect(await counts()).to.deep.include({ events: 1, deliveries: 2 });
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ msg: 'wu_do_event: the event could not be stored' });
  });
});
