import { HookpressError } from '../errors.js';

/**
 * SQLite result codes that mean "the storage could not do it now", not "the caller is wrong":
 * another connection holds the write lock (BUSY/LOCKED), the disk is full (FULL), the OS failed
 * a read or write (IOERR…), the file is damaged (CORRUPT/NOTADB), or the file cannot be written
 * or opened (READONLY/CANTOPEN). better-sqlite3 throws `SqliteError` with `code` set to the
 * extended code name, e.g. `SQLITE_IOERR_WRITE`, `SQLITE_BUSY_SNAPSHOT`.
 */
const STORAGE_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL'];

/** Codes that pass by themselves (a lock is released, space is freed, an I/O hiccup): worth retrying. */
const TRANSIENT_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_PROTOCOL'];

/** The SQLite code of `error` or of an error it wraps (`cause`, e.g. a MigrationError's). */
function codeOf(error: unknown): string {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  }
  return '';
}

function matches(code: string, list: readonly string[]): boolean {
  return list.some((c) => code === c || code.startsWith(`${c}_`));
}

/** Whether `error` is a storage fault (see STORAGE_CODES), as opposed to a bug or bad input. */
export function isStorageError(error: unknown): boolean {
  return error instanceof StorageUnavailableError || matches(codeOf(error), STORAGE_CODES);
}

/** Whether `error` is a storage fault that is expected to pass: busy, locked, full, I/O. */
export function isTransientStorageError(error: unknown): boolean {
  if (error instanceof StorageUnavailableError) return error.transient;
  return matches(codeOf(error), TRANSIENT_CODES);
}

/** The sentence a user reads for a storage fault: what happened and what to do. */
export function storageFaultMessage(error: unknown): string {
  const code = error instanceof StorageUnavailableError ? error.sqliteCode : codeOf(error);
  if (matches(code, ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_PROTOCOL'])) {
    return 'The database is busy (another process is writing to it). Nothing was changed — please try again in a moment.';
  }
  if (matches(code, ['SQLITE_FULL'])) return 'The database is full (the disk has no space left). Nothing was changed — free some disk space, then try again.';
  if (matches(code, ['SQLITE_IOERR'])) return 'The database could not be read or written (an I/O error). Nothing was changed — please try again; if it persists, check the disk.';
  if (matches(code, ['SQLITE_READONLY', 'SQLITE_CANTOPEN'])) return 'The database cannot be written (its file or folder is read-only). Nothing was changed — fix the permissions of DATA_DIR, then try again.';
  return 'The database file is damaged (corrupt). Nothing was changed — restore it from a backup; see the README, "Storage faults".';
}

/**
 * A request that failed because of a storage fault: answered 503 Service Unavailable with
 * `Retry-After`, never a crash. `code` is STORAGE_UNAVAILABLE; `sqliteCode` is what SQLite
 * said (SQLITE_BUSY, SQLITE_FULL, SQLITE_IOERR_WRITE…).
 */
export class StorageUnavailableError extends HookpressError<'STORAGE_UNAVAILABLE'> {
  readonly sqliteCode: string;
  readonly transient: boolean;
  /** Seconds a client should wait before retrying (the Retry-After header). */
  readonly retryAfter: number;
  readonly title = 'Service Unavailable';

  /** `fault`: a fault other than SQLite's (PostgreSQL's, see core/db/postgres-errors.ts), always transient. */
  constructor(cause: unknown, fault?: { code: string; message: string }) {
    super('STORAGE_UNAVAILABLE', fault?.message ?? storageFaultMessage(cause), { status: 503, cause });
    this.name = 'StorageUnavailableError';
    this.sqliteCode = fault?.code ?? (codeOf(cause) || 'SQLITE_ERROR');
    this.transient = fault !== undefined || matches(this.sqliteCode, TRANSIENT_CODES);
    this.retryAfter = this.transient ? 5 : 60;
  }
}

/** `error` as a StorageUnavailableError when it is a storage fault; otherwise `error` itself. */
export function asStorageUnavailable(error: unknown): unknown {
  if (error instanceof StorageUnavailableError || !isStorageError(error)) return error;
  return new StorageUnavailableError(error);
}

export interface RetryOptions {
  /** Waits before the 2nd, 3rd… attempt, in milliseconds. Default: 0.25, 0.5, 1, 2, 4, 8 s (≈ 16 s in all). */
  delaysMs?: readonly number[];
  /** How to wait; injected by tests so no test sleeps. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each wait with the error and the attempt that failed (1-based). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [250, 500, 1000, 2000, 4000, 8000];

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn`, retrying it with backoff while it fails with a transient storage error
 * (isTransientStorageError); any other error, or the last transient one, is thrown.
 * `fn` must be safe to run again after a failure (a transaction, or idempotent steps).
 */
export async function retryTransient<T>(fn: () => T | Promise<T>, options: RetryOptions = {}): Promise<T> {
  const delays = options.delaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const delay = delays[attempt - 1];
      if (!isTransientStorageError(error) || delay === undefined) throw error;
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}

/**
 * A retryTransient() for start-up steps: logs each retry (warn, naming the step) and calls
 * the configured `onRetry` too. Returns `(step, fn) => Promise`.
 */
export function startupRetrier(logger: { warn: (obj: object, msg: string) => void }, options: RetryOptions) {
  return <T>(step: string, fn: () => T | Promise<T>): Promise<T> =>
    retryTransient(fn, {
      ...options,
      onRetry: (error, attempt, delayMs) => {
        logger.warn({ err: error, attempt, delayMs }, `${step}: the database is unavailable; retrying`);
        options.onRetry?.(error, attempt, delayMs);
      },
    });
}
