import type { Compilable, Kysely } from 'kysely';
import type { Db } from './database.js';
import { executeSync, type DialectName } from './query-layer.js';
import type { CoreTables } from './tables.js';

/** Runs one query-layer query now on the synchronous SQLite handle: its rows and the rows changed. */
export type SyncRunner = <R = unknown>(query: Compilable) => { rows: R[]; changes: number };

/**
 * The synchronous face of a store written on the query layer: on SQLite (`sync` given) it runs
 * the store's Kysely queries on the host's synchronous handle (the same connection), so
 * WordPress's synchronous calls keep working; on PostgreSQL (`sync` absent) every call throws
 * an Error naming `what`, telling the caller to use the store's asynchronous methods.
 */
export function syncRunner(sync: Db | undefined, what: string): SyncRunner {
  return <R>(query: Compilable) => {
    if (!sync) throw new Error(`${what}: the synchronous calls need SQLite; on PostgreSQL use the asynchronous ones.`);
    return executeSync<R>(sync, query);
  };
}

/**
 * Base of the core stores written on the query layer: the Kysely instance, its dialect (for the
 * few queries that differ), and `now`, the synchronous face (SQLite) named after the store.
 */
export abstract class QueryLayerStore {
  protected readonly now: SyncRunner;

  constructor(
    protected readonly db: Kysely<CoreTables>,
    protected readonly dialect: DialectName,
    /** SQLite: the synchronous handle on the same connection; absent on PostgreSQL. */
    readonly sync?: Db,
  ) {
    this.now = syncRunner(sync, new.target.name);
  }
}
