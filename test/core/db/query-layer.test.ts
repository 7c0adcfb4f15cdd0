import { expect } from 'chai';
import { sql } from 'kysely';
import { openDatabase } from '../../../core/db/database.js';
import { openQueryLayer, sqliteQueryLayer } from '../../../core/db/query-layer.js';
import { guardSyncHandle } from '../../../core/db/shared-connection-guard.js';
import { forEachBackend } from '../../helpers/backends.js';

interface T {
  t: { id: number; v: string };
}

/**
 * Another request: `fn` runs in its own async context (started here, outside any transaction)
 * once `go()` is called; `done` settles with its result.
 */
function anotherRequest<R>(fn: () => R): { go: () => void; done: Promise<R> } {
  let go!: () => void;
  const gate = new Promise<void>((resolve) => (go = resolve));
  const done = (async () => {
    await gate;
    await new Promise((resolve) => setImmediate(resolve));
    return fn();
  })();
  done.catch(() => undefined);
  return { go, done };
}

describe('core/db query layer on SQLite (shared connection)', () => {
  it('sees what the synchronous handle writes, and the other way round (same connection, :memory: too)', async () => {
    const raw = openDatabase(':memory:');
    const layer = sqliteQueryLayer<T>(raw);
    expect(layer.dialect).to.equal('sqlite');
    raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    raw.prepare('INSERT INTO t (id, v) VALUES (1, ?)').run('sync');
    await layer.db.insertInto('t').values({ id: 2, v: 'kysely' }).execute();
    expect(await layer.db.selectFrom('t').select('v').orderBy('id').execute()).to.deep.equal([{ v: 'sync' }, { v: 'kysely' }]);
    expect(raw.prepare('SELECT count(*) AS n FROM t').get()).to.deep.equal({ n: 2 });
    await layer.close();
    // Destroying the query layer leaves the host's connection open.
    expect(raw.open).to.equal(true);
    raw.close();
  });

  it('the hazard, unguarded: another request\'s synchronous write joins an open transaction and is rolled back with it', async () => {
    const raw = openDatabase(':memory:');
    const layer = sqliteQueryLayer<T>(raw);
    raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const other = anotherRequest(() => raw.prepare("INSERT INTO t (id, v) VALUES (2, 'other request')").run());
    await layer.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('t').values({ id: 1, v: 'tx' }).execute();
        other.go();
        await other.done;
        throw new Error('roll back');
      })
      .catch(() => undefined);
    // The other request was told its write succeeded; it is gone.
    expect(raw.prepare('SELECT count(*) AS n FROM t').get()).to.deep.equal({ n: 0 });
    raw.close();
  });

  it('guarded: another request\'s synchronous write during an open transaction is refused as SQLITE_BUSY (503), nothing is lost silently', async () => {
    const raw = openDatabase(':memory:');
    const layer = sqliteQueryLayer<T>(raw);
    const db = guardSyncHandle(raw, layer.guard!);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    let refused: unknown;
    const single = anotherRequest(() => insert.run(2, 'other request'));
    const inTransaction = anotherRequest(() => db.transaction(() => insert.run(3, 'other'))());
    await layer.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('t').values({ id: 1, v: 'tx' }).execute();
        single.go();
        await single.done.catch((e: unknown) => (refused = e));
        inTransaction.go();
        await inTransaction.done.catch(() => undefined);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect((refused as { code?: string }).code).to.equal('SQLITE_BUSY');
    expect(layer.guard!.refused).to.equal(2);
    // Closed again: synchronous writes go through.
    insert.run(4, 'after');
    expect(db.prepare('SELECT id FROM t').all()).to.deep.equal([{ id: 4 }]);
    raw.close();
  });

  it('guarded: a synchronous write made inside the transaction\'s own callback belongs to it (commits or rolls back with it)', async () => {
    const raw = openDatabase(':memory:');
    const layer = sqliteQueryLayer<T>(raw);
    const db = guardSyncHandle(raw, layer.guard!);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    await layer.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('t').values({ id: 1, v: 'tx' }).execute();
        // e.g. a hook fired inside the transaction that writes with a synchronous store
        await new Promise((resolve) => setImmediate(resolve));
        db.transaction(() => insert.run(2, 'inside'))();
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).to.deep.equal({ n: 0 });
    await layer.db.transaction().execute(async () => void insert.run(3, 'inside, committed'));
    expect(db.prepare('SELECT id FROM t').all()).to.deep.equal([{ id: 3 }]);
    expect(layer.guard!.refused).to.equal(0);
    raw.close();
  });

  it('a ROLLBACK that fails once is retried: the failure is reported and the connection is not left in the transaction', async () => {
    const { FaultInjector } = await import('../../../core/db/fault-injection.js');
    const faults = new FaultInjector();
    const raw = openDatabase(':memory:', { faults });
    const layer = sqliteQueryLayer<T>(raw);
    await layer.db.schema.createTable('t').addColumn('id', 'integer').addColumn('v', 'text').execute();
    // Writes: BEGIN (0), the INSERT (1), then ROLLBACK (2) fails once.
    faults.fail('SQLITE_BUSY', { scope: 'writes', skip: 2, times: 1 });
    const error = await layer.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('t').values({ id: 1, v: 'x' }).execute();
        throw new Error('roll back');
      })
      .catch((e: unknown) => e);
    faults.clear();
    expect(error).to.have.property('code', 'SQLITE_BUSY');
    expect(raw.inTransaction, 'rolled back by the retry').to.equal(false);
    await layer.db.transaction().execute(async (trx) => void (await trx.insertInto('t').values({ id: 2, v: 'next' }).execute()));
    expect(raw.prepare('SELECT id FROM t').all()).to.deep.equal([{ id: 2 }]);
    raw.close();
  });

  it('transactions begin IMMEDIATE: a second process cannot write in between', async () => {
    const raw = openDatabase(':memory:');
    const layer = sqliteQueryLayer<T>(raw);
    let sawLock = false;
    await layer.db.transaction().execute(async () => {
      sawLock = raw.inTransaction;
    });
    expect(sawLock).to.equal(true);
    raw.close();
  });

  it('refuses a URL that is not PostgreSQL', async () => {
    let error: unknown;
    await openQueryLayer({ url: 'mysql://x@127.0.0.1/db' }).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/Not a PostgreSQL URL/);
  });
});

forEachBackend('core/db query layer', (backend) => {
  it('names its dialect, runs queries and transactions, returns 64-bit integers as numbers', async () => {
    const { layer } = await backend.open();
    expect(layer.dialect).to.equal(backend.name);
    const db = layer.db as unknown as import('kysely').Kysely<{ t: { id: number; at: number } }>;
    await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('at', 'bigint', (c) => c.notNull()).execute();
    await db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('t').values({ id: 1, at: 1_795_824_000_123 }).execute();
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await db.transaction().execute((trx) => trx.insertInto('t').values({ id: 2, at: 1_795_824_000_456 }).execute());
    const rows = await db.selectFrom('t').select(['id', 'at']).execute();
    expect(rows).to.deep.equal([{ id: 2, at: 1_795_824_000_456 }]);
    const { n } = await db.selectFrom('t').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    expect(n).to.equal(1);
  });
});
