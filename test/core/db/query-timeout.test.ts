import { expect } from 'chai';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { configFromEnv } from '../../../core/config.js';
import { CronStore } from '../../../core/cron/cron-store.js';
import { postgresFault } from '../../../core/db/postgres-errors.js';
import { boundedPool, CLIENT_GRACE_MS, QueryTimeoutError, serverTimeouts, withoutQueryTimeout } from '../../../core/db/query-timeout.js';
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
  // pg's transaction status as the server reports it: 'I' idle, 'T' in a transaction.
  let status = 'I';
  const client = {
    getTransactionStatus: () => status,
    query(config: pg.QueryConfig & { query_timeout?: number }) {
      seen.queries.push({ text: config.text, timeout: config.query_timeout });
      if (/^begin/i.test(config.text)) status = 'T';
      if (/^(commit|rollback)/i.test(config.text)) status = 'I';
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
    it('gives every query pg’s read timeout (the bound, then CLIENT_GRACE_MS for the server to cancel first), and none to a query run inside withoutQueryTimeout, whose server bound is lifted for it alone', async () => {
      const { pool, seen } = fakePool();
      const layer = layerOver(pool);
      await sql`SELECT 1`.execute(layer.db);
      await withoutQueryTimeout(() => sql`SELECT 2`.execute(layer.db));
      await sql`SELECT 3`.execute(layer.db);
      expect(seen.queries).to.deep.equal([
        { text: 'SELECT 1', timeout: 250 + CLIENT_GRACE_MS },
        { text: 'SET statement_timeout = 0; SET lock_timeout = 0', timeout: undefined },
        { text: 'SELECT 2', timeout: undefined },
        { text: 'RESET statement_timeout; RESET lock_timeout', timeout: undefined },
        { text: 'SELECT 3', timeout: 250 + CLIENT_GRACE_MS },
      ]);
    });

    it('inside a transaction lifts the server bound with SET LOCAL for the exempt query and puts it back after', async () => {
      const { pool, seen } = fakePool();
      const layer = layerOver(pool);
      await layer.db.transaction().execute(async (trx) => {
        await withoutQueryTimeout(() => sql`SELECT pg_advisory_xact_lock(1)`.execute(trx));
        await sql`SELECT 'after'`.execute(trx);
      });
      expect(seen.queries.map((q) => q.text)).to.deep.equal([
        'begin',
        'SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0',
        'SELECT pg_advisory_xact_lock(1)',
        'SET LOCAL statement_timeout = 250; SET LOCAL lock_timeout = 250',
        "SELECT 'after'",
        'commit',
      ]);
    });

    it('a session SET that could not be RESET: the connection is discarded, not handed to the next request', async () => {
      const { pool, seen } = fakePool((text) => (text.startsWith('RESET') ? new Error('Connection terminated unexpectedly') : undefined));
      await withoutQueryTimeout(() => sql`SELECT 1`.execute(layerOver(pool).db));
      expect(seen.releases).to.deep.equal([true]);
    });

    it('serverTimeouts(): the pool’s statement_timeout and lock_timeout are the bound; none with a bound of 0', () => {
      expect(serverTimeouts(300)).to.deep.equal({ statement_timeout: 300, lock_timeout: 300 });
      expect(serverTimeouts(0)).to.deep.equal({});
    });

    it('maps the server ending a statement at its bound (57014 statement_timeout, 55P03 lock_timeout) to PG_TIMEOUT (503)', () => {
      for (const code of ['57014', '55P03']) {
        const error = Object.assign(new Error('canceling statement due to statement timeout'), { code, severity: 'ERROR' });
        expect(postgresFault(error)).to.include({ sqliteCode: 'PG_TIMEOUT', retryAfter: 5, status: 503 });
      }
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
      expect(timeouts(seen, /'work'/)).to.deep.equal([250 + CLIENT_GRACE_MS]);
      // The server's bound lifted on the lock's connection for that wait alone.
      expect(seen.queries.map((q) => q.text).slice(0, 3)).to.deep.equal(['SET statement_timeout = 0; SET lock_timeout = 0', 'SELECT pg_advisory_lock($1)', 'RESET statement_timeout; RESET lock_timeout']);
    });

    it('CronStore.insertRecurring: waiting for the per-hook advisory lock is unbounded; its check and insert are bounded', async () => {
      const { pool, seen } = fakePool();
      await new CronStore(layerOver(pool).db).insertRecurring({ hook: 'h', args: '[]', timestamp: 1, schedule: 'hourly', interval: 3600 });
      expect(timeouts(seen, /pg_advisory_xact_lock/)).to.deep.equal([undefined]);
      expect(timeouts(seen, /cron_events/)).to.deep.equal([250 + CLIENT_GRACE_MS]);
      expect(seen.queries.map((q) => q.text).slice(1, 4)).to.deep.equal([
        'SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0',
        'SELECT pg_advisory_xact_lock(hashtext($1))',
        'SET LOCAL statement_timeout = 250; SET LOCAL lock_timeout = 250',
      ]);
    });

    it('migrateSchema: migrations (their lock and their DDL) are unbounded', async () => {
      const { pool, seen } = fakePool();
      await migrateSchema(layerOver(pool), 'test', [{ version: 1, name: 'one', up: async (db) => void (await sql`CREATE TABLE t (x int)`.execute(db)) }]);
      expect(seen.queries.length).to.be.above(3);
      expect(seen.queries.filter((q) => q.timeout !== undefined)).to.deep.equal([]);
      // Each statement but BEGIN/COMMIT with the server's bound lifted (SET LOCAL in the transaction).
      expect(seen.queries.some((q) => q.text === 'CREATE TABLE t (x int)')).to.equal(true);
      const create = seen.queries.findIndex((q) => q.text === 'CREATE TABLE t (x int)');
      expect(seen.queries[create - 1]!.text).to.equal('SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0');
    });
  });

  describe('configFromEnv()', () => {
    it('reads DB_QUERY_TIMEOUT_MS and DB_CONNECT_TIMEOUT_MS (defaults 30 s and 10 s; 0 = unbounded) and refuses anything but whole milliseconds', () => {
      expect(configFromEnv({})).to.include({ queryTimeoutMs: 30_000, connectTimeoutMs: 10_000 });
      expect(configFromEnv({ DB_QUERY_TIMEOUT_MS: '0', DB_CONNECT_TIMEOUT_MS: '2500' })).to.include({ queryTimeoutMs: 0, connectTimeoutMs: 2500 });
      expect(() => configFromEnv({ DB_QUERY_TIMEOUT_MS: '30s' })).to.throw('DB_QUERY_TIMEOUT_MS must be a whole number of milliseconds (0 to 2147483647); got "30s".');
      // Node clamps longer timers to 1 ms: such a bound would fire at once, so it is refused.
      expect(configFromEnv({ DB_QUERY_TIMEOUT_MS: '2147483647' })).to.include({ queryTimeoutMs: 2147483647 });
      expect(() => configFromEnv({ DB_QUERY_TIMEOUT_MS: '2147483648' })).to.throw('DB_QUERY_TIMEOUT_MS must be a whole number of milliseconds (0 to 2147483647); got "2147483648".');
      expect(() => configFromEnv({ DB_CONNECT_TIMEOUT_MS: '1e12' })).to.throw('DB_CONNECT_TIMEOUT_MS must be a whole number of milliseconds (0 to 2147483647); got "1e12".');
      expect(() => configFromEnv({ DB_CONNECT_TIMEOUT_MS: '-1' })).to.throw('DB_CONNECT_TIMEOUT_MS must be a whole number');
    });
  });
});
