import { QueryTimeoutError } from './query-timeout.js';
import { StorageUnavailableError } from './storage-errors.js';

/** Node's codes for a server that cannot be reached (the `pg` driver passes them through). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs that mean "the server cannot do it now", not "the query is wrong": class 08
 * (connection exception), class 53 (insufficient resources: disk full, too many connections),
 * 57P01–57P03 (shutting down, crashed, not accepting connections yet), 40001 and 40P01
 * (serialization failure, deadlock: retry the transaction).
 */
const SQLSTATE = /^(08...|53...|57P0[123]|40001|40P01)$/;

/** SQLSTATEs of a statement the server ended at its bound: 57014 query_canceled (statement_timeout), 55P03 lock_not_available (lock_timeout). */
const SERVER_TIMEOUT = new Set(['57014', '55P03']);

/**
 * On a PostgreSQL host: `error` (or an error it wraps) as a StorageUnavailableError when the
 * database server was unreachable or refused the work for now — the request is answered 503
 * with Retry-After, like SQLite's busy or I/O faults — else undefined. Only for errors from the
 * database: a refused connection anywhere in a request of a PostgreSQL host counts.
 * `sqliteCode` of the result is `PG_<SQLSTATE>`, `PG_UNREACHABLE` (with Node's code in the log),
 * or `PG_TIMEOUT` (no answer within DB_QUERY_TIMEOUT_MS / DB_CONNECT_TIMEOUT_MS: QueryTimeoutError, or the
 * server's statement_timeout / lock_timeout: SQLSTATE 57014, 55P03).
 */
export function postgresFault(error: unknown): StorageUnavailableError | undefined {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof StorageUnavailableError) return e;
    if (e instanceof QueryTimeoutError) return fault(error, 'PG_TIMEOUT');
    const code = (e as { code?: unknown }).code;
    // pg's DatabaseError carries the server's SQLSTATE in `code` and a `severity`.
    if (typeof code === 'string' && 'severity' in e) {
      // The server's side of the same bound (statement_timeout, lock_timeout: see boundedPool).
      if (SERVER_TIMEOUT.has(code)) return fault(error, 'PG_TIMEOUT');
      if (SQLSTATE.test(code)) return fault(error, `PG_${code}`);
    }
    if (typeof code === 'string' && UNREACHABLE.has(code)) return fault(error, 'PG_UNREACHABLE');
    if (e instanceof AggregateError && e.errors.some((x) => UNREACHABLE.has(String((x as { code?: unknown })?.code)))) return fault(error, 'PG_UNREACHABLE');
    if (e instanceof Error && /^Connection terminated/.test(e.message)) return fault(error, 'PG_UNREACHABLE');
  }
  return undefined;
}

function fault(cause: unknown, code: string): StorageUnavailableError {
  const message =
    code === 'PG_TIMEOUT'
      ? 'The database server did not answer in time. Please try again in a moment; if you were saving something, check afterwards whether it was saved.'
      : code === 'PG_UNREACHABLE' || code.startsWith('PG_08') || code.startsWith('PG_57')
      ? 'The database server cannot be reached right now. Please try again in a moment; if you were saving something, check afterwards whether it was saved.'
      : 'The database server is too busy to do this right now. Please try again in a moment.';
  return new StorageUnavailableError(cause, { code, message });
}

/**
 * True when `error` (or an error it wraps) is PostgreSQL refusing a value (SQLSTATE class 22,
 * data exception: an id beyond `integer`, a NUL character in text, a number it cannot read) —
 * input a request should not have sent, answered 400 rather than 500. SQLite stores such values.
 */
export function isPostgresDataException(error: unknown): boolean {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && 'severity' in e && /^22...$/.test(code)) return true;
  }
  return false;
}

/** What a user is told for a PostgreSQL data exception (isPostgresDataException). */
export const DATA_EXCEPTION_MESSAGE = 'A value in this request is out of range or not allowed (for example an id above 2147483647, or a NUL character in text). Check the address and the fields, then try again.';
