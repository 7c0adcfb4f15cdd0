import { expect } from 'chai';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { configFromEnv } from '../../../core/config.js';
import { CronStore } from '../../../core/cron/cron-store.js';
import { postgresFault } from '../../../core/db/postgres-errors.js';
import { boundedPool, QueryTimeoutError, withoutQueryTimeout } from '../../../core/db/query-timeout.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { withStartLock } from '../../../core/db/start-lock.js';
import type { QueryLayer } from '../../../core/db/query-layer.js';

/** What the fake pg pool saw: each query's text and its read timeout, each release's argument. */
interface Seen {
  queries: { text: string; timeout: number | undefined }[];
  releases: unknown[];
}

/**
 * A stand-in for pg.Pool: records what boundedPool asks of it and answers every query with one
 * row; `answer` may fail a query instead (pg's own errors), no server involved.
 */
function fakePool(answer: (text: string) => Error | undefined = () => undefined, checkout?: Error): { pool: pg.Pool; seen: Seen } {
  const seen: Seen = { queries: [], releases: [] };
  const client = {
    query(config: pg.QueryConfig & { query_timeout?: number }) {
      seen.queries.push({ text: config.text, timeout: config.query_timeout });
      const error = answer(config.text);
      return error ? Promise.reject(error) : Promise.resolve({ command: 'SELECT', rowCount: 1, rows: [{ id: 1, version: 0 }] });
    },
    release: (arg: unknown) => void seen.releases.push(arg),
  };
  const pool = { connect: () => (checkout ? Promise.reject(checkout) : Promise.resolve(client)), end: () => Promise.resolve() };
  return { pool: pool as unknown as pg.Pool, seen };
}

function layerOver(pool: pg.Pool, timeoutMs = 250): QueryLayer<any> {
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: boundedPool(pool, timeoutMs, 100) }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

const timeouts = (seen: Seen, pattern: RegExp) => seen.queries.filter((q) => pattern.test(q.text)).map((q) => q.timeout);

describe('core/db/query-timeout', () => {
  describe('boundedPool()', () => {
    it('gives every query pg’s read timeout, and none to a query run inside withoutQueryTimeout', async () => {
      const { pool, seen } = fakePool();
      const layer = layerOver(pool);
      await sql`SELECT 1`.execute(layer.db);
      await withoutQueryTimeout(() => sql`SELECT 2`.execute(layer.db));
      await sql`SELECT 3`.execute(layer.db);
      expect(seen.queries.map((q) => q.timeout)).to.deep.equal([250, undefined, 250]);
    });

    it('gives none at all with a bound of 0', async () => {
      const { pool, seen } = fakePool();
      await sql`SELECT 1`.execute(layerOver(pool, 0).db);
      expect(seen.queries[0]!.timeout).to.equal(undefined);
    });

    it('turns pg’s read timeout into QueryTimeoutError (PG_TIMEOUT, 503), fails the connection’s next query (the ROLLBACK) at once and has the pool discard it', async () => {
      const { pool, seen } = fakePool((text) => (text === 'SELECT 1' ? new Error('Query read timeout') : undefined));
      const layer = layerOver(pool);
      let error: unknown;
      await layer.db
        .transaction()
        .execute((trx) => sql`SELECT 1`.execute(trx))
        .catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(QueryTimeoutError);
      expect(postgresFault(error)).to.include({ sqliteCode: 'PG_TIMEOUT', retryAfter: 5, status: 503 });
      // BEGIN and the query were sent; the ROLLBACK was not (the connection is stuck behind the unanswered query).
      expect(seen.queries.map((q) => q.text)).to.deep.equal(['begin', 'SELECT 1']);
      expect(seen.releases).to.deep.equal([true]);
    });

    it('hands a connection back for reuse when its queries were answered', async () => {
      const { pool, seen } = fakePool();
      await sql`SELECT 1`.execute(layerOver(pool).db);
      expect(seen.releases).to.deep.equal([undefined]);
    });

    it('turns pg-pool’s checkout timeout into QueryTimeoutError (503)', async () => {
      const { pool } = fakePool(undefined, new Error('timeout exceeded when trying to connect'));
      const error = await sql`SELECT 1`.execute(layerOver(pool).db).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(QueryTimeoutError);
      expect(postgresFault(error)?.sqliteCode).to.equal('PG_TIMEOUT');
    });
  });

  describe('waits that are long by design', () => {
    it('withStartLock: waiting for pg_advisory_lock (another process migrating) is unbounded; the work under the lock is bounded', async () => {
      const { pool, seen } = fakePool();
      const layer = layerOver(pool);
      await withStartLock(layer, async () => void (await sql`SELECT 'work'`.execute(layer.db)));
      expect(timeouts(seen, /pg_advisory_lock\(/)).to.deep.equal([undefined]);
      expect(timeouts(seen, /'work'/)).to.deep.equal([250]);
    });

    it('CronStore.insertRecurring: waiting for the per-hook advisory lock is unbounded; its check and insert are bounded', async () => {
      const { pool, seen } = fakePool();
      await new CronStore(layerOver(pool).db).insertRecurring({ hook: 'h', args: '[]', timestamp: 1, schedule: 'hourly', interval: 3600 });
      expect(timeouts(seen, /pg_advisory_xact_lock/)).to.deep.equal([undefined]);
      expect(timeouts(seen, /cron_events/)).to.deep.equal([250]);
    });

    it('migrateSchema: migrations (their lock and their DDL) are unbounded', async () => {
      const { pool, seen } = fakePool();
      await migrateSchema(layerOver(pool), 'test', [{ version: 1, name: 'one', up: async (db) => void (await sql`CREATE TABLE t (x int)`.execute(db)) }]);
      expect(seen.queries.length).to.be.above(3);
      expect(seen.queries.filter((q) => q.timeout !== undefined)).to.deep.equal([]);
    });
  });

  describe('configFromEnv()', () => {
    it('reads DB_QUERY_TIMEOUT_MS and DB_CONNECT_TIMEOUT_MS (defaults 30 s and 10 s; 0 = unbounded) and refuses anything but whole milliseconds', () => {
      expect(configFromEnv({})).to.include({ queryTimeoutMs: 30_000, connectTimeoutMs: 10_000 });
      expect(configFromEnv({ DB_QUERY_TIMEOUT_MS: '0', DB_CONNECT_TIMEOUT_MS: '2500' })).to.include({ queryTimeoutMs: 0, connectTimeoutMs: 2500 });
      expect(() => configFromEnv({ DB_QUERY_TIMEOUT_MS: '30s' })).to.throw('DB_QUERY_TIMEOUT_MS must be a whole number of milliseconds; got "30s".');
      expect(() => configFromEnv({ DB_CONNECT_TIMEOUT_MS: '-1' })).to.throw('DB_CONNECT_TIMEOUT_MS must be a whole number');
    });
  });
});
