import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Clock } from '../config.js';
import type { CoreTables } from '../db/tables.js';

/** The longest counter key (limiter prefix included) stored as given, in characters. */
export const MAX_PLAIN_KEY_LENGTH = 200;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

/**
 * The `rate_limits.key` of `key` under the limiter `prefix`: `prefix + key` itself when that is
 * at most MAX_PLAIN_KEY_LENGTH characters without control characters, else
 * `prefix + 'sha256:' + hex(sha256(key))` (so a 12,000-character login stays within an index
 * row on PostgreSQL, and a NUL, which PostgreSQL's text refuses, never reaches it). One rule
 * on both backends, so processes on either count the same keys alike.
 */
export function storedRateLimitKey(prefix: string, key: string): string {
  const plain = prefix + key;
  if (plain.length <= MAX_PLAIN_KEY_LENGTH && !CONTROL.test(plain)) return plain;
  return `${prefix}sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/**
 * express-rate-limit's store in the database (table `rate_limits`), so every host process counts
 * the same failed logins: fixed windows, one row per key, counted with one atomic upsert (the
 * window restarts when the row's `reset_at` has passed). `prefix` keeps the counters of several
 * limiters apart; long or odd keys are stored hashed (storedRateLimitKey). Expired rows are removed by `purgeExpired()`.
 */
export class DatabaseRateLimitStore implements Store {
  private windowMs = 60_000;
  /** express-rate-limit: counters are shared between processes (no per-process double counting). */
  readonly localKeys = false;

  constructor(
    private readonly db: Kysely<CoreTables>,
    readonly prefix: string,
    private readonly clock: Clock = Date.now,
  ) {}

  private stored(key: string): string {
    return storedRateLimitKey(this.prefix, key);
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.db.selectFrom('rate_limits').select(['hits', 'reset_at']).where('key', '=', this.stored(key)).executeTakeFirst();
    if (!row || row.reset_at <= this.clock()) return undefined;
    return { totalHits: row.hits, resetTime: new Date(row.reset_at) };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = this.clock();
    const expired = sql<boolean>`rate_limits.reset_at <= ${now}`;
    const row = await this.db
      .insertInto('rate_limits')
      .values({ key: this.stored(key), hits: 1, reset_at: now + this.windowMs })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          hits: sql<number>`CASE WHEN ${expired} THEN 1 ELSE rate_limits.hits + 1 END`,
          reset_at: sql<number>`CASE WHEN ${expired} THEN ${now + this.windowMs} ELSE rate_limits.reset_at END`,
        }),
      )
      .returning(['hits', 'reset_at'])
      .executeTakeFirstOrThrow();
    return { totalHits: row.hits, resetTime: new Date(row.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    await this.db
      .updateTable('rate_limits')
      .set({ hits: sql<number>`CASE WHEN hits > 0 THEN hits - 1 ELSE 0 END` })
      .where('key', '=', this.stored(key))
      .where('reset_at', '>', this.clock())
      .execute();
  }

  async resetKey(key: string): Promise<void> {
    await this.db.deleteFrom('rate_limits').where('key', '=', this.stored(key)).execute();
  }

  /** Deletes counters whose window has passed (all limiters); returns how many. */
  async purgeExpired(): Promise<number> {
    const r = await this.db.deleteFrom('rate_limits').where('reset_at', '<=', this.clock()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
