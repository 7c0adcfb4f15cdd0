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
  /** Network users; `login` and `email` are unique without regard to case. */
  users: { id: Generated<number>; login: string; email: string; display_name: string; pass_hash: string; registered: number };
  /** The network's sites; `slug` is unique without regard to case; `public` is 0/1. */
  sites: { id: Generated<number>; slug: string; title: string; admin_email: string; registered: number; public: Generated<number> };
  /** Application passwords (HMAC of the password keyed by `uuid`); removed with their user. */
  application_passwords: {
    uuid: string;
    user_id: number;
    app_id: Generated<string>;
    name: string;
    password_hash: string;
    created: number;
    last_used: number | null;
    last_ip: string | null;
  };
  /** Site transients: JSON text by name; `expires` in unix seconds (as WordPress), null = never. */
  site_transients: { name: string; value: string; expires: number | null };
  /** Persistent admin notices; `link` is JSON ({ href, label }) or null; listed by `seq` (a re-added notice goes last). */
  admin_notices: { id: string; type: string; message: string; link: string | null; created: number; seq: number };
  /** Secrets every host process shares (PostgreSQL: `secret_key`, base64); written once, never replaced. */
  host_secrets: { name: string; value: string };
}
