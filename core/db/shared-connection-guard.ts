import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import type { Db } from './database.js';
import { interceptHandle } from './handle-interceptor.js';

/**
 * On SQLite the synchronous handle (`host.db`, the stores written with better-sqlite3) and the
 * Kysely query layer share ONE connection, so both see the same data at once (`:memory:`
 * included). The hazard: a Kysely transaction is `BEGIN … await … COMMIT`, and while it awaits,
 * other requests run. Their synchronous writes on the same connection would silently join the
 * open transaction — committed or rolled back with someone else's work.
 *
 * The guard makes that impossible: while a Kysely transaction is open, a synchronous write
 * (statement that is not a reader, `exec`, `transaction`) is allowed only from inside that
 * transaction's own async context (code its callback runs, e.g. a hook fired in it: that write
 * belongs to the transaction, the transactional outbox); from anywhere else it throws
 * SQLITE_BUSY at once, which the host already answers as "busy, try again" (503) — what a
 * second connection would report after its busy timeout, without blocking the event loop for
 * that timeout while the lock holder cannot run (a second connection would deadlock the process
 * against itself for `DB_BUSY_TIMEOUT_MS`). Kysely's own SQLite driver serialises its queries
 * and transactions with a mutex, so Kysely never interleaves with itself.
 *
 * In practice the guard rarely fires: a Kysely transaction on SQLite whose callback only awaits
 * queries resolves entirely in microtasks (better-sqlite3 is synchronous), so no other request
 * runs before COMMIT. It fires when a transaction awaits real I/O (a timer, a fetch) — don't.
 * Reads from elsewhere are not refused (WAL's "readers never wait" stays), but they may see the
 * open transaction's uncommitted rows.
 */
/**
 * One async context for every guard of the process (each transaction's token is a fresh symbol,
 * so guards never mistake another's). Not one per guard: Node 20 copies every enabled
 * AsyncLocalStorage's value at each async resource's creation (promises included), and an
 * instance stays enabled after its host closes — a process building hosts one after another
 * (tests, benches) paid for all of them on every promise (measured: 10 % of the CPU of
 * bench/delivery in async_hooks' _propagate).
 */
const transactionContext = new AsyncLocalStorage<symbol>();

export class SharedConnectionGuard {
  /** The token of the open Kysely transaction, or null. */
  private owner: symbol | null = null;
  /** Synchronous writes refused because a transaction was open elsewhere (for tests and logs). */
  refused = 0;

  /** Runs `fn` (a Kysely transaction's whole execution) as the context that owns its transaction. */
  runAsTransaction<T>(fn: () => T): T {
    return transactionContext.run(Symbol('kysely-transaction'), fn);
  }

  /** Called by the driver right after BEGIN: the caller's context owns the connection's transaction. */
  opened(): void {
    this.owner = transactionContext.getStore() ?? Symbol('unowned-transaction');
  }

  /** Called by the driver after COMMIT or ROLLBACK. */
  closed(): void {
    this.owner = null;
  }

  /** Whether a Kysely transaction is open on the connection. */
  get open(): boolean {
    return this.owner !== null;
  }

  /** Throws SQLITE_BUSY when a synchronous write comes from outside the open transaction. */
  checkWrite(sql: string): void {
    if (this.owner === null || transactionContext.getStore() === this.owner) return;
    this.refused++;
    throw new Database.SqliteError(
      `database is locked (a query-layer transaction is open on this connection; refused: ${sql.slice(0, 80)})`,
      'SQLITE_BUSY',
    );
  }
}

/**
 * The synchronous handle with every write checked by `guard` first (see SharedConnectionGuard).
 * Read-only statements are handed back unwrapped (no cost at all); a write statement costs one
 * proxy lookup and one null check per call. Not `reader`: an INSERT … RETURNING reads and writes.
 */
export function guardSyncHandle(db: Db, guard: SharedConnectionGuard): Db {
  return interceptHandle(db, (_isWrite, sql) => guard.checkWrite(sql), { isWrite: (stmt) => !stmt.readonly, writesOnly: true });
}
