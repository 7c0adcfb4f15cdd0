import type { Options } from 'express-rate-limit';
import type { Kysely } from 'kysely';
import type { Clock } from '../config.js';
import type { CoreTables } from '../db/tables.js';
import { DatabaseRateLimitStore } from './rate-limit-store.js';

/**
 * The name under which the host offers plugins its shared rate limits
 * (`api.services.get<SharedRateLimits>(RATE_LIMITS_SERVICE)`).
 */
export const RATE_LIMITS_SERVICE = 'hookpress:rate-limits';

/**
 * Fixed-window counters in the database (table `rate_limits`), shared by every host process, for
 * plugins: a plugin declares this shape itself (plugins import only the SDK).
 */
export interface SharedRateLimits {
  /**
   * Counts one hit of `key` for the limiter `name` (letters, digits, `-`, `_`) in fixed windows of
   * `windowMs` milliseconds; resolves to the hits of the current window, across processes, and
   * when it ends. Rejects with the storage error when the database fails.
   */
  hit(name: string, key: string, windowMs: number): Promise<{ totalHits: number; resetTime: Date }>;
}

/** The host's SharedRateLimits over the query layer; each limiter's counters are kept apart by the prefix `plugin:{name}:`. */
export function sharedRateLimits(db: Kysely<CoreTables>, clock: Clock): SharedRateLimits {
  const stores = new Map<string, DatabaseRateLimitStore>();
  return {
    async hit(name, key, windowMs) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new TypeError(`A rate limit name is 1-64 letters, digits, - or _; got ${JSON.stringify(name)}.`);
      const id = `${name}/${windowMs}`;
      let store = stores.get(id);
      if (!store) {
        store = new DatabaseRateLimitStore(db, `plugin:${name}:`, clock);
        store.init({ windowMs } as Options);
        stores.set(id, store);
      }
      const { totalHits, resetTime } = await store.increment(key);
      return { totalHits, resetTime: resetTime ?? new Date(clock() + windowMs) };
    },
  };
}
