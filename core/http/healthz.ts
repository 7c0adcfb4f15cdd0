import type { Request, Response } from 'express';
import { sql, type Kysely } from 'kysely';
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

/** How long the PostgreSQL health check waits for its answer, in ms, before calling the database unreachable. */
export const HEALTH_TIMEOUT_MS = 2000;

/**
 * The PostgreSQL counterpart of checkDatabase: `SELECT 1` through the query layer's pool,
 * answered within `timeoutMs`. Unreachable (refused, timed out, authentication failed…) is
 * "not healthy" with the driver's message (or error code) as the reason; never throws.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema: the check names no table
export async function checkQueryLayer(db: Kysely<any>, timeoutMs = HEALTH_TIMEOUT_MS): Promise<HealthResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sql`SELECT 1`.execute(db), timeout]);
    return { ok: true };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error && error.message ? error.message : typeof code === 'string' ? code : String(error);
    return { ok: false, reason: message, retryAfter: 5 };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /healthz` (and HEAD) for a load balancer: 200 `{ "status": "ok" }` when `check` passes,
 * 503 `{ "status": "unavailable", "reason" }` with `Retry-After` (seconds) when not. Mounted
 * before sessions, throttles and authentication: it creates no session cookie, is not rate
 * limited and needs no credentials; `Cache-Control: no-store`.
 */
export function healthzHandler(check: () => HealthResult | Promise<HealthResult>) {
  return async (_req: Request, res: Response): Promise<void> => {
    const result = await check();
    res.set('Cache-Control', 'no-store');
    if (result.ok) {
      res.status(200).json({ status: 'ok', database: 'ok' });
      return;
    }
    res.set('Retry-After', String(result.retryAfter));
    res.status(503).json({ status: 'unavailable', database: result.reason });
  };
}
