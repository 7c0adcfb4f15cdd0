import { expect } from 'chai';
import { AsyncResource } from 'node:async_hooks';
import type { Kysely } from 'kysely';
import { currentTransactionScope, scopedTransactions } from '../../../core/db/transaction-scope.js';
import { forEachBackend } from '../../helpers/backends.js';

interface Tables {
  orders: { id: number };
  outbox: { order_id: number };
}

/**
 * What a synchronous `wu_do_event` needs on any backend: called (through a hook) from inside an
 * `api.db` transaction, it cannot await, so it stages its rows in the transaction's scope; they
 * are written on the same transaction before COMMIT, and handed on only after it.
 */
forEachBackend('core/db: transaction scopes (writes staged by synchronous code, before COMMIT)', (backend) => {
  async function open() {
    const t = await backend.open();
    const db = scopedTransactions(t.layer.db as unknown as Kysely<Tables>);
    await db.schema.createTable('orders').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
    await db.schema.createTable('outbox').addColumn('order_id', 'integer', (c) => c.notNull()).execute();
    const handedOff: number[] = [];
    /** A synchronous "fire": stages its row, hands off after commit; outside a transaction, there is no scope. */
    const fire = (orderId: number): boolean => {
      const scope = currentTransactionScope();
      if (!scope) return false;
      scope.beforeCommit((trx) => trx.insertInto('outbox').values({ order_id: orderId }).execute());
      scope.afterCommit(() => void handedOff.push(orderId));
      return true;
    };
    const count = async (table: keyof Tables) => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { db, fire, handedOff, count };
  }

  it('staged writes commit with the transaction, and after-commit callbacks run after it', async () => {
    const { db, fire, handedOff, count } = await open();
    expect(fire(0), 'no scope outside a transaction').to.equal(false);
    const out = await db.transaction().execute(async (trx) => {
      await trx.insertInto('orders').values({ id: 1 }).execute();
      expect(fire(1)).to.equal(true);
      await trx.insertInto('orders').values({ id: 2 }).execute();
      expect(fire(2)).to.equal(true);
      expect(handedOff, 'nothing handed off before COMMIT').to.deep.equal([]);
      return 'done';
    });
    expect(out).to.equal('done');
    expect(await count('orders')).to.equal(2);
    expect((await db.selectFrom('outbox').select('order_id').orderBy('order_id').execute()).map((r) => r.order_id)).to.deep.equal([1, 2]);
    expect(handedOff).to.deep.equal([1, 2]);
  });

  it('a transaction that throws after firing leaves no staged rows and hands nothing off', async () => {
    const { db, fire, handedOff, count } = await open();
    const failed = await db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('orders').values({ id: 1 }).execute();
        fire(1);
        throw new Error('declined');
      })
      .then(() => 'committed', (e: Error) => e.message);
    expect(failed).to.equal('declined');
    expect(await count('orders')).to.equal(0);
    expect(await count('outbox')).to.equal(0);
    expect(handedOff).to.deep.equal([]);
  });

  it('a staged write that fails rolls the whole transaction back', async () => {
    const { db, count } = await open();
    const failed = await db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('orders').values({ id: 1 }).execute();
        currentTransactionScope()!.beforeCommit((t) => t.insertInto('outbox').values({ order_id: null as unknown as number }).execute());
      })
      .then(() => 'committed', () => 'rolled back');
    expect(failed).to.equal('rolled back');
    expect(await count('orders')).to.equal(0);
  });

  it('code the callback left behind (a timer, a promise not awaited) sees no scope once the transaction has ended', async () => {
    const { db, fire, count } = await open();
    let later!: () => boolean;
    let captured!: ReturnType<typeof currentTransactionScope>;
    await db.transaction().execute(async () => {
      // Runs in the callback's async context, after COMMIT: its staged row would never be written.
      later = AsyncResource.bind(() => fire(3));
      captured = currentTransactionScope();
    });
    expect(later(), 'no scope after COMMIT').to.equal(false);
    expect(() => captured!.beforeCommit(() => undefined)).to.throw(/has ended/);
    await db
      .transaction()
      .execute(async () => {
        later = AsyncResource.bind(() => fire(4));
        throw new Error('declined');
      })
      .catch(() => undefined);
    expect(later(), 'no scope after a rollback').to.equal(false);
    expect(await count('outbox')).to.equal(0);
  });

  it('everything else is the query builder itself: db.fn keeps its members', async () => {
    const { db } = await open();
    await db.insertInto('orders').values({ id: 7 }).execute();
    expect(Number((await db.selectFrom('orders').select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).to.equal(1);
    expect(db.isTransaction).to.equal(false);
  });
});
