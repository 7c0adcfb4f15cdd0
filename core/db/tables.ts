import type { Generated } from 'kysely';

/**
 * The core tables as the query layer sees them (Kysely's table types). Only tables that a store
 * on the query layer uses are listed; the rest are still read with the synchronous handle.
 * Times are unix milliseconds unless a column says otherwise; booleans are 0/1 integers on both
 * backends.
 */
export interface CoreTables {
  schema_migrations: { owner: string; version: number; name: string; applied_at: number };
}

export type { Generated };
