import type { Request, Response } from 'express';
import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import type { DialectName } from '../db/query-layer.js';
import { QueryTimeoutError } from '../db/query-timeout.js';
import { classifyStorageFault } from './storage-fault.js';

/**
 * What a health check found: `ok`, or why not and how long a balancer should wait (seconds).
 * `reason` is a stable code safe to show anyone (`SQLITE_IOERR`, `PG_UNREACHABLE`, `PG_TIMEOUT`,
 * `PG_<SQLSTATE>`, or `DB_ERROR`); `error` is the driver's error, for the log only — its message
 * may name hosts, users or TLS details.
 */
export type HealthResult = { ok: true } | { ok: false; reason: string; retryAfter: number; error?: unknown };

/** The reason of a failure that is no storage fault we know (a closed handle, a refused login…). */
const OTHER_FAILURE = 'DB_ERROR';

/**
 * A failed check as its result, through the classifier every request handler uses
 * (classifyStorageFault), so /healthz and the pages never disagree about what a fault is.
 * A storage fault's code (`fault`) is the reason; anything else — a value PostgreSQL refused
 * included, which a `SELECT 1` cannot send — is DB_ERROR.
 */
function failedCheck(error: unknown, dialect: DialectName): HealthResult {
  const answer = classifyStorageFault(error, dialect);
  if (answer?.fault !== undefined) return { ok: false, reason: answer.fault, retryAfter: answer.retryAfter ?? 5, error };
  return { ok: false, reason: OTHER_FAILURE, retryAfter: 5, error };
}

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
    return failedCheck(error, 'sqlite');
  }
}

/** How long the PostgreSQL health check waits for its answer, in ms, before calling the database unreachable. */
export const HEALTH_TIMEOUT_MS = 2000;

/**
 * The PostgreSQL counterpart of checkDatabase: `SELECT 1` through the query layer's pool,
 * answered within `timeoutMs`. Unreachable (refused, timed out, authentication failed…) is
 * "not healthy" with a stable code as the reason (the storage-fault classifier's: PG_UNREACHABLE,
 * PG_TIMEOUT, PG_<SQLSTATE>; else DB_ERROR) and the driver's error beside it for the log; never throws.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema: the check names no table
export async function checkQueryLayer(db: Kysely<any>, timeoutMs = HEALTH_TIMEOUT_MS): Promise<HealthResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueryTimeoutError('query', timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([sql`SELECT 1`.execute(db), timeout]);
    return { ok: true };
  } catch (error) {
    return failedCheck(error, 'postgres');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /healthz` (and HEAD) for a load balancer: 200 `{ "status": "ok" }` when `check` passes,
 * 503 `{ "status": "unavailable", "database": "<reason code>" }` with `Retry-After` (seconds) when
 * not — the driver's message goes to `logger` (warn), never to the unauthenticated caller. Mounted
 * before sessions, throttles and authentication: it creates no session cookie, is not rate
 * limited and needs no credentials; `Cache-Control: no-store`.
 */
export function healthzHandler(check: () => HealthResult | Promise<HealthResult>, logger: { warn: (obj: object, msg: string) => void }) {
  return async (_req: Request, res: Response): Promise<void> => {
    const result = await check();
    res.set('Cache-Control', 'no-store');
    if (result.ok) {
      res.status(200).json({ status: 'ok', database: 'ok' });
      return;
    }
    logger.warn({ err: result.error, reason: result.reason }, 'health check failed: the database did not answer; answered 503');
    res.set('Retry-After', String(result.retryAfter));
    res.status(503).json({ status: 'unavailable', database: result.reason });
  };
}
