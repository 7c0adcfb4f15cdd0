import { CompiledQuery, Kysely, type Compilable, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type TransactionBuilder } from 'kysely';
import type pg from 'pg';
import type { Db } from './database.js';
import { boundedPool, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_QUERY_TIMEOUT_MS, serverTimeouts } from './query-timeout.js';
import { SharedConnectionGuard } from './shared-connection-guard.js';
import type { CoreTables } from './tables.js';

/** Which database a query layer talks to. Stores branch on it only where SQL differs. */
export type DialectName = 'sqlite' | 'postgres';

/**
 * The asynchronous query layer of one host: a Kysely instance and the dialect it speaks.
 * Stores take `db` (or a transaction of it); SQL lives in stores.
 */
export interface QueryLayer<DB = CoreTables> {
  db: Kysely<DB>;
  dialect: DialectName;
  /**
   * SQLite only: the guard shared with the synchronous handle (see SharedConnectionGuard);
   * wrap the synchronous handle with guardSyncHandle(handle, guard).
   */
  guard?: SharedConnectionGuard;
  /** Releases what the layer opened: the pg pool; on SQLite nothing (the connection is the host's). */
  close(): Promise<void>;
}

/**
 * Kysely whose transactions run in their own async context, so the SharedConnectionGuard can
 * tell the transaction's own synchronous writes (allowed) from other requests' (refused).
 * Instances made by `withPlugin`/`withSchema` are plain Kysely: their transactions are
 * "unowned" and every synchronous write waits them out as SQLITE_BUSY (safe, stricter).
 */
class GuardedKysely<DB> extends Kysely<DB> {
  #guard: SharedConnectionGuard;

  constructor(dialect: SqliteDialect, guard: SharedConnectionGuard) {
    super({ dialect });
    this.#guard = guard;
  }

  override transaction(): TransactionBuilder<DB> {
    return ownedBuilder(super.transaction(), this.#guard);
  }
}

function ownedBuilder<DB>(builder: TransactionBuilder<DB>, guard: SharedConnectionGuard): TransactionBuilder<DB> {
  return new Proxy(builder, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'execute') {
        return (callback: Parameters<TransactionBuilder<DB>['execute']>[0]) => guard.runAsTransaction(() => target.execute(callback));
      }
      if (prop === 'setAccessMode' || prop === 'setIsolationLevel') {
        return (arg: never) => ownedBuilder((value as (a: never) => TransactionBuilder<DB>).call(target, arg), guard);
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Kysely's SQLite driver with two changes: transactions start with BEGIN IMMEDIATE (the write
 * lock is taken at once, so two processes never both read-then-upgrade and fail with
 * SQLITE_BUSY mid-transaction), and they tell the guard when they open and close.
 */
class SharedSqliteDriver extends SqliteDriver {
  constructor(
    config: ConstructorParameters<typeof SqliteDriver>[0],
    private readonly guard: SharedConnectionGuard,
    private readonly connection: Db,
  ) {
    super(config);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    this.guard.opened();
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('commit'));
    } finally {
      // A failed COMMIT (busy, disk full) may leave the transaction open: Kysely rolls back next.
      if (!this.connection.inTransaction) this.guard.closed();
    }
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    } catch (error) {
      // A ROLLBACK that failed (busy, I/O) leaves the transaction open on the one connection,
      // and every later BEGIN would fail: try once more, then report the first failure.
      if (this.connection.inTransaction) await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => {});
      throw error;
    } finally {
      this.guard.closed();
    }
  }
}

class SharedSqliteDialect extends SqliteDialect {
  constructor(
    private readonly config: ConstructorParameters<typeof SqliteDialect>[0],
    private readonly guard: SharedConnectionGuard,
    private readonly connection: Db,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new SharedSqliteDriver(this.config, this.guard, this.connection);
  }
}

/**
 * The query layer over the host's existing better-sqlite3 connection: the same connection, so
 * synchronous stores and Kysely see the same data (`:memory:` included). Wrap the synchronous
 * handle with `guardSyncHandle(connection, layer.guard)` — see SharedConnectionGuard for why.
 * `close()` leaves the connection open: it is the host's to close.
 */
export function sqliteQueryLayer<DB = CoreTables>(connection: Db): QueryLayer<DB> {
  const guard = new SharedConnectionGuard();
  // Kysely only needs prepare(); close() is a no-op so destroying Kysely never closes the host's connection.
  const database = { prepare: (sql: string) => connection.prepare(sql), close: () => {} };
  const db = new GuardedKysely<DB>(new SharedSqliteDialect({ database }, guard, connection), guard);
  return { db, dialect: 'sqlite', guard, close: () => db.destroy() };
}

/** 64-bit integers (COUNT(*), BIGINT columns of millisecond times) come back as numbers, as on SQLite. */
const INT8_OID = 20;
function int8AsNumber(driver: typeof pg): pg.CustomTypesConfig {
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8_OID) return (value: string) => Number(value);
      return driver.types.getTypeParser(oid, format as 'text');
    },
  } as pg.CustomTypesConfig;
}

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /** Name reported to PostgreSQL (pg_stat_activity.application_name). */
  applicationName?: string;
  /**
   * Bound of one query, in ms, before it fails with QueryTimeoutError (default 30 000; 0 =
   * none): a frozen server or a network that drops packets answers 503, not never. Waits that are
   * long by design run inside withoutQueryTimeout (core/db/query-timeout.ts).
   */
  queryTimeoutMs?: number;
  /** Bound of getting a connection from the pool (a free one, or a new one connected), in ms (default 10 000; 0 = none). */
  connectTimeoutMs?: number;
}

/**
 * The query layer over a PostgreSQL pool made from a `postgres://` URL (any form `pg` accepts).
 * BIGINT values are returned as numbers (they hold millisecond times and counts, far below 2^53).
 * `pg` is loaded only here, so a host on SQLite never pays for it. `close()` ends the pool.
 * Queries and checkouts are bounded (PostgresOptions.queryTimeoutMs / connectTimeoutMs).
 */
export async function postgresQueryLayer<DB = CoreTables>(url: string, options: PostgresOptions = {}): Promise<QueryLayer<DB> & { pool: pg.Pool }> {
  const { default: driver } = await import('pg');
  const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const pool = new driver.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'hookpress',
    types: int8AsNumber(driver),
    connectionTimeoutMillis: connectTimeoutMs,
    // The server ends a statement at the same bound: one the client gave up on does not go on
    // waiting (on a lock) in its backend while the pool opens another connection.
    ...serverTimeouts(queryTimeoutMs),
  });
  // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Nor a checked-out client's: the pool listens only while a client is idle, and a connection
  // lost mid-query also emits 'error' on the client (the query itself rejects; the pool then
  // discards the client). Without a listener that event would be an uncaught exception.
  pool.on('connect', (client) => void client.on('error', () => {}));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: boundedPool(pool, queryTimeoutMs, connectTimeoutMs) }) });
  return { db, dialect: 'postgres', pool, close: () => db.destroy() };
}

/**
 * The query layer for a database named by configuration: a `postgres://` (or `postgresql://`)
 * URL opens PostgreSQL; otherwise the given SQLite connection is used.
 */
export async function openQueryLayer<DB = CoreTables>(target: { url: string } | { sqlite: Db }): Promise<QueryLayer<DB>> {
  if ('url' in target) {
    if (!/^postgres(ql)?:\/\//i.test(target.url)) throw new Error(`Not a PostgreSQL URL: ${target.url.replace(/\/\/[^@/]*@/, '//…@')}`);
    return postgresQueryLayer<DB>(target.url);
  }
  return sqliteQueryLayer<DB>(target.sqlite);
}

/**
 * SQLite only: runs a query built with the query layer now, on the synchronous handle (the same
 * connection). This keeps WordPress's synchronous calls (`update_site_option`,
 * `wp_schedule_event`) working over stores written once on the query layer, until the
 * per-request unit of work stages them on any backend. Returns the rows (for a SELECT or
 * RETURNING) and the number of rows changed.
 */
export function executeSync<R>(db: Db, query: Compilable): { rows: R[]; changes: number } {
  const { sql, parameters } = query.compile();
  const stmt = db.prepare(sql);
  if (stmt.reader) {
    const rows = stmt.all(...(parameters as unknown[])) as R[];
    return { rows, changes: stmt.readonly ? 0 : rows.length };
  }
  return { rows: [], changes: stmt.run(...(parameters as unknown[])).changes };
}
