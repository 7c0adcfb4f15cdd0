import type { Request, Response } from 'express';
import type { Db } from '../db/database.js';
import { asStorageUnavailable, StorageUnavailableError } from '../db/storage-errors.js';

/** What a health check found: `ok`, or why not and how long a balancer should wait (seconds). */
export type HealthResult = { ok: true } | { ok: false; reason: string; retryAfter: number };

/**
 * The database answers a trivial query (`SELECT 1`) — the one check behind `/healthz`. Storage
 * faults (busy, full, I/O, corrupt…) and a closed handle are "not healthy"; never throws.
 * Other backends replace this function's body, not the route.
 */
export function checkDatabase(db: Pick<Db, 'prepare'>): HealthResult {
  try {
    db.prepare('SELECT 1 AS ok').get();
    return { ok: true };
  } catch (error) {
    const fault = asStorageUnavailable(error);
    if (fault instanceof StorageUnavailableError) return { ok: false, reason: fault.sqliteCode, retryAfter: fault.retryAfter };
    return { ok: false, reason: error instanceof Error ? error.message : String(error), retryAfter: 5 };
  }
}

/**
 * `GET /healthz` (and HEAD) for a load balancer: 200 `{ "status": "ok" }` when `check` passes,
 * 503 `{ "status": "unavailable", "reason" }` with `Retry-After` (seconds) when not. Mounted
 * before sessions, throttles and authentication: it creates no session cookie, is not rate
 * limited and needs no credentials; `Cache-Control: no-store`.
 */
export function healthzHandler(check: () => HealthResult) {
  return (_req: Request, res: Response): void => {
    const result = check();
    res.set('Cache-Control', 'no-store');
    if (result.ok) {
      res.status(200).json({ status: 'ok', database: 'ok' });
      return;
    }
    res.set('Retry-After', String(result.retryAfter));
    res.status(503).json({ status: 'unavailable', database: result.reason });
  };
}
