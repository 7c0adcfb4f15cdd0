import type { Generated } from 'kysely';

/**
 * The core tables as the query layer sees them (Kysely's table types). Only tables that a store
 * on the query layer uses are listed; the rest are still read with the synchronous handle.
 * Times are unix milliseconds unless a column says otherwise; booleans are 0/1 integers on both
 * backends.
 */
export interface CoreTables {
  schema_migrations: { owner: string; version: number; name: string; applied_at: number };
  /** Network options: JSON text by name. */
  site_options: { name: string; value: string };
  /** How often each cached kind of state was written (`site_options`…): other processes reload when it moves. */
  cache_versions: { name: string; version: number };
  /** Scheduled events; `timestamp` in unix seconds, as WordPress stores it. */
  cron_events: { id: Generated<number>; hook: string; args: string; timestamp: number; schedule: string | null; interval: number | null };
  /** express-session's sessions; `data` is the session as JSON. */
  sessions: { sid: string; data: string; expires: number };
  /** Failed-login counters (express-rate-limit), one fixed window per key. */
  rate_limits: { key: string; hits: number; reset_at: number };
}
