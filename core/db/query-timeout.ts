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

/** pg's connect timeouts: pg-pool's wait for a free connection, or pg's own connect (destroyed socket). */
function isCheckoutTimeout(error: unknown): boolean {
  return error instanceof Error && /^timeout exceeded when trying to connect|^Connection terminated due to connection timeout/.test(error.message);
}

/**
 * `pool` as Kysely's PostgresDialect takes it, with every query bounded by `queryTimeoutMs`
 * (pg's client-side `query_timeout`; 0 = unbounded) unless run inside withoutQueryTimeout, and
 * checkout timeouts (pg-pool's `connectionTimeoutMillis`) as QueryTimeoutError. A connection
 * whose query timed out is poisoned: its later queries (Kysely's ROLLBACK) fail at once, and on
 * release the pool ends it rather than handing a stuck socket to the next request.
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
      return {
        query(sqlOrCursor: unknown, parameters?: readonly unknown[]) {
          if (timedOut) return Promise.reject(new QueryTimeoutError('query', queryTimeoutMs));
          // Kysely's streams pass a Cursor: left as it is (Hookpress streams nothing).
          if (typeof sqlOrCursor !== 'string') return (client.query as (q: unknown) => unknown)(sqlOrCursor);
          const bounded = queryTimeoutMs > 0 && unbounded.getStore() !== true;
          const config: pg.QueryConfig = { text: sqlOrCursor, values: parameters as unknown[] };
          if (bounded) (config as { query_timeout?: number }).query_timeout = queryTimeoutMs;
          return client.query(config).catch((error: unknown) => {
            if (!(error instanceof Error && error.message === 'Query read timeout')) throw error;
            timedOut = true;
            throw new QueryTimeoutError('query', queryTimeoutMs, error);
          }) as Promise<PostgresQueryResult<unknown>>;
        },
        release(discard?: boolean) {
          client.release(discard || timedOut ? true : undefined);
        },
      } as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
