import type { CoreErrorCode } from '../error-codes.js';
import { DATA_EXCEPTION_MESSAGE, isPostgresDataException, postgresFault } from '../db/postgres-errors.js';
import type { DialectName } from '../db/query-layer.js';
import { asStorageUnavailable, StorageUnavailableError } from '../db/storage-errors.js';

/** How a request that failed in the database is answered, whoever answers it (admin pages, REST). */
export interface StorageFaultAnswer {
  /** 503: the database cannot do it now, retry after `retryAfter`. 400: it refuses a value the request sent. */
  status: 503 | 400;
  /** STORAGE_UNAVAILABLE (503) or BAD_REQUEST (400), from core/error-codes.ts. */
  code: Extract<CoreErrorCode, 'STORAGE_UNAVAILABLE' | 'BAD_REQUEST'>;
  /** The sentence a user reads: what happened and what to do. */
  message: string;
  /** The error page's title. */
  title: string;
  /** 503 only: seconds for the Retry-After header (5 for a fault that passes, 60 for a damaged file). */
  retryAfter?: number;
  /** 503 only: what the database said, for the log — SQLite's code (SQLITE_BUSY, SQLITE_IOERR_WRITE…), PG_<SQLSTATE> or PG_UNREACHABLE. */
  fault?: string;
}

/**
 * The one classifier of storage faults, for every handler that answers a request (the admin
 * error handler in core/app.ts, REST's in core/rest/server.ts): `error` (or an error it wraps)
 * as the answer it gets, or undefined when it is not the database's doing (the handler's own
 * mapping applies).
 * - SQLite busy, locked, full, I/O, read-only, corrupt (core/db/storage-errors.ts), a
 *   StorageUnavailableError thrown anywhere, and on a PostgreSQL host the server unreachable or
 *   refusing the work for now (core/db/postgres-errors.ts): 503 with Retry-After.
 * - PostgreSQL refusing a value (SQLSTATE class 22: an id beyond integer, NUL in text): 400.
 * `dialect`: the host's database. PostgreSQL's connection faults count only on a PostgreSQL
 * host: on an SQLite host a refused connection is some other call's (an outgoing request's).
 */
export function classifyStorageFault(error: unknown, dialect: DialectName): StorageFaultAnswer | undefined {
  const unavailable = asStorageUnavailable(dialect === 'postgres' ? (postgresFault(error) ?? error) : error);
  if (unavailable instanceof StorageUnavailableError) {
    return { status: 503, code: unavailable.code, message: unavailable.message, title: unavailable.title, retryAfter: unavailable.retryAfter, fault: unavailable.sqliteCode };
  }
  if (isPostgresDataException(error)) return { status: 400, code: 'BAD_REQUEST', message: DATA_EXCEPTION_MESSAGE, title: 'Bad Request' };
  return undefined;
}
