import { sql } from 'kysely';
import type { QueryLayer } from './query-layer.js';
import { withoutQueryTimeout } from './query-timeout.js';

/** The advisory lock key (any bigint agreed by every Hookpress process) serialising host start-ups on PostgreSQL. */
export const START_LOCK_KEY = 0x486f6f6b; // "Hook"

/**
 * Runs `fn` while holding the network's start-up lock: on PostgreSQL a session advisory lock
 * (`pg_advisory_lock`) on one pooled connection, so host processes starting at once run core
 * and plugin migrations and the first-start set-up (main site, super admin, default options)
 * one after the other, and each sees what the one before wrote. `fn` may use any other
 * connection of the pool. On SQLite nothing is taken (one process per DATA_DIR holds its lock).
 */
export async function withStartLock<T>(layer: QueryLayer, fn: () => Promise<T>): Promise<T> {
  if (layer.dialect !== 'postgres') return fn();
  return layer.db.connection().execute(async (conn) => {
    // Waiting for another process's migrations may take long: not bounded by DB_QUERY_TIMEOUT_MS.
    await withoutQueryTimeout(() => sql`SELECT pg_advisory_lock(${START_LOCK_KEY})`.execute(conn));
    try {
      return await fn();
    } finally {
      await sql`SELECT pg_advisory_unlock(${START_LOCK_KEY})`.execute(conn);
    }
  });
}
