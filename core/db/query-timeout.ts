import { AsyncLocalStorage } from 'node:async_hooks';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/** Default bound of one PostgreSQL query on the pool, in ms (DB_QUERY_TIMEOUT_MS). */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
/** Default bound of a pool checkout (a free connection, or a new one connected), in ms (DB_CONNECT_TIMEOUT_MS). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * A PostgreSQL query (or a pool checkout) that got no answer within its bound: the server is
 * frozen or the network drops packets without closing the connection. core/db/postgres-errors.ts
 * answers it like an unreachable server (503 with Retry-After). `code` is stable.
 */
export class QueryTimeoutError extends Error {
  readonly code = 'HOOKPRESS_DB_TIMEOUT';
  constructor(what: 'query' | 'connect', timeoutMs: number, cause?: unknown) {
    super(what === 'query' ? `The database server did not answer a query within ${timeoutMs} ms.` : `No database connection could be had within ${timeoutMs} ms.`, { cause });
    this.name = 'QueryTimeoutError';
  }
}

// Marks the async context of a wait that is allowed to be long (see withoutQueryTimeout).
const unbounded = new AsyncLocalStorage<true>();

/**
 * Runs `fn` with its PostgreSQL queries exempt from the query timeout: for waits that are
 * legitimately long and silent — an advisory lock another process holds (the start-up lock,
 * cron's per-hook lock) and migrations. Keep `fn` to those queries: anything it starts (a
 * timer, a background task) would inherit the exemption. On SQLite it only runs `fn`.
 */
export function withoutQueryTimeout<T>(fn: () => Promise<T>): Promise<T> {
  return unbounded.run(true, fn);
}

/**
 * How much longer the client waits than the server's statement_timeout, in ms: the server's
 * cancellation (SQLSTATE 57014, the connection kept) normally comes first; the client's own
 * timer is for a server or network that says nothing at all.
 */
export const CLIENT_GRACE_MS = 250;

/**
 * pg.Pool options making the server end a statement (and a lock wait) at `queryTimeoutMs` too
 * (0 = none: the role's or server's settings apply). Without them a query the client gave up on
 * goes on waiting in its backend, and the pool opens another connection beside it.
 */
export function serverTimeouts(queryTimeoutMs: number): { statement_timeout?: number; lock_timeout?: number } {
  return queryTimeoutMs > 0 ? { statement_timeout: queryTimeoutMs, lock_timeout: queryTimeoutMs } : {};
}

// Statements that begin or end a transaction: run as they are (they do not wait), since a session
// SET around them would be undone by the transaction's rollback.
const TRANSACTION_CONTROL = /^\s*(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)\b/i;

/** pg's connect timeouts: pg-pool's wait for a free connection, or pg's own connect (destroyed socket). */
function isCheckoutTimeout(error: unknown): boolean {
  return error instanceof Error && /^timeout exceeded when trying to connect|^Connection terminated due to connection timeout/.test(error.message);
}

/**
 * `pool` as Kysely's PostgresDialect takes it, with every query bounded by `queryTimeoutMs`
 * (0 = unbounded) unless run inside withoutQueryTimeout, and checkout timeouts (pg-pool's
 * `connectionTimeoutMillis`) as QueryTimeoutError. The bound is the server's first — `pool` must
 * be made with serverTimeouts(queryTimeoutMs), so the backend itself ends the statement
 * (SQLSTATE 57014 or 55P03, PG_TIMEOUT in postgres-errors.ts) and the connection stays usable —
 * then the client's (pg's `query_timeout`, CLIENT_GRACE_MS later) for a server that says nothing.
 * An exempt query lifts the server's bound for itself only (SET LOCAL / SET … RESET around it).
 * A connection whose query timed out on the client is poisoned: its later queries (Kysely's
 * ROLLBACK) fail at once, and on release the pool ends it rather than handing a stuck socket to
 * the next request.
 */
export function boundedPool(pool: pg.Pool, queryTimeoutMs: number, connectTimeoutMs: number): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw isCheckoutTimeout(error) ? new QueryTimeoutError('connect', connectTimeoutMs, error) : error;
      }
      let timedOut = false;
      // A session SET the RESET after an exempt query could not undo: not handed to anyone else.
      let unreset = false;
      const run = (text: string) => client.query({ text });
      /**
       * An exempt query with the server's bound lifted for it alone: SET LOCAL inside a
       * transaction (put back after it; a rollback undoes it anyway), else SET then RESET (back to
       * the connection's start-up value, serverTimeouts).
       */
      const exempt = async (config: pg.QueryConfig): Promise<pg.QueryResult> => {
        const status = client.getTransactionStatus?.();
        if (status === 'T') {
          await run('SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0');
          const result = await client.query(config);
          // A COMMIT or ROLLBACK run exempt ended the transaction: nothing is left to put back.
          if (client.getTransactionStatus?.() === 'T') await run(`SET LOCAL statement_timeout = ${queryTimeoutMs}; SET LOCAL lock_timeout = ${queryTimeoutMs}`);
          return result;
        }
        if (status !== 'I' || TRANSACTION_CONTROL.test(config.text)) return client.query(config);
        await run('SET statement_timeout = 0; SET lock_timeout = 0');
        try {
          return await client.query(config);
        } finally {
          await run('RESET statement_timeout; RESET lock_timeout').catch(() => (unreset = true));
        }
      };
      return {
        query(sqlOrCursor: unknown, parameters?: readonly unknown[]) {
          if (timedOut) return Promise.reject(new QueryTimeoutError('query', queryTimeoutMs));
          // Kysely's streams pass a Cursor: left as it is (Hookpress streams nothing).
          if (typeof sqlOrCursor !== 'string') return (client.query as (q: unknown) => unknown)(sqlOrCursor);
          const config: pg.QueryConfig = { text: sqlOrCursor, values: parameters as unknown[] };
          if (queryTimeoutMs > 0 && unbounded.getStore() === true) return exempt(config) as Promise<PostgresQueryResult<unknown>>;
          // The server ends the statement at queryTimeoutMs (serverTimeouts); the client waits a little longer.
          if (queryTimeoutMs > 0) (config as { query_timeout?: number }).query_timeout = queryTimeoutMs + CLIENT_GRACE_MS;
          return client.query(config).catch((error: unknown) => {
            if (!(error instanceof Error && error.message === 'Query read timeout')) throw error;
            timedOut = true;
            throw new QueryTimeoutError('query', queryTimeoutMs, error);
          }) as Promise<PostgresQueryResult<unknown>>;
        },
        release(discard?: boolean) {
          client.release(discard || timedOut || unreset ? true : undefined);
        },
      } as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
