import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { HookpressError } from '../errors.js';

/** Codes of the start-up refusals; each message names the path, what is wrong and what to do. */
export type StartupErrorCode =
  | 'STARTUP_DATA_DIR_UNUSABLE'
  | 'STARTUP_DATA_DIR_READONLY'
  | 'STARTUP_DATA_DIR_IN_USE'
  | 'STARTUP_DB_EMPTY'
  | 'STARTUP_DB_UNREADABLE'
  | 'STARTUP_DB_CORRUPT'
  | 'STARTUP_SECRET_INVALID'
  | 'STARTUP_DATABASE_UNUSABLE';

/**
 * The host refuses to start: something in DATA_DIR is wrong and starting anyway would lose or
 * damage data. `npm start` prints the message (no stack trace) and exits with status 1.
 */
export class StartupError extends HookpressError<StartupErrorCode> {
  constructor(
    code: StartupErrorCode,
    message: string,
    readonly path: string,
    options: { cause?: unknown } = {},
  ) {
    super(code, message, { status: 503, cause: options.cause });
    this.name = 'StartupError';
  }
}

/** The file-system calls the checks make; tests inject failures a root user cannot produce with chmod. */
export interface CheckFs {
  mkdirSync(p: string, o: { recursive: true; mode?: number }): unknown;
  writeFileSync(p: string, data: string): void;
  unlinkSync(p: string): void;
  statSync(p: string, o: { throwIfNoEntry: false }): { size: number; isFile(): boolean } | undefined;
  openSync(p: string, flags: string): number;
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function errno(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? 'unknown error';
}

/**
 * DATA_DIR exists (or can be created) and can be written: a probe file is created and removed.
 * @throws StartupError STARTUP_DATA_DIR_UNUSABLE, STARTUP_DATA_DIR_READONLY
 */
export function checkDataDir(dataDir: string, fsi: CheckFs = fs): void {
  try {
    fsi.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StartupError(
      'STARTUP_DATA_DIR_UNUSABLE',
      `Hookpress cannot create its data folder ${dataDir} (${errno(error)}). Create it and give the user running Hookpress write access, or set DATA_DIR to a folder it can write.`,
      dataDir,
      { cause: error },
    );
  }
  const probe = path.join(dataDir, `.hookpress-write-test-${process.pid}`);
  try {
    fsi.writeFileSync(probe, '');
    fsi.unlinkSync(probe);
  } catch (error) {
    throw new StartupError(
      'STARTUP_DATA_DIR_READONLY',
      `The data folder ${dataDir} is read-only (${errno(error)}): Hookpress must write its database there. Give the user running Hookpress write access (chown/chmod), remount it read-write, or set DATA_DIR to a writable folder.`,
      dataDir,
      { cause: error },
    );
  }
}

/**
 * An existing database file is not empty, can be read, starts with SQLite's header and has a
 * readable schema. A missing file is a fresh install (fine); an existing one is never
 * re-initialised.
 * @throws StartupError STARTUP_DB_EMPTY, STARTUP_DB_UNREADABLE, STARTUP_DB_CORRUPT
 */
export function checkDatabaseFile(file: string, fsi: CheckFs = fs): void {
  let stat: { size: number; isFile(): boolean } | undefined;
  try {
    stat = fsi.statSync(file, { throwIfNoEntry: false });
  } catch (error) {
    throw unreadable(file, error);
  }
  if (!stat) return;
  if (!stat.isFile()) {
    throw new StartupError('STARTUP_DB_UNREADABLE', `The database path ${file} is not a file. Move whatever is there away, or set DATA_DIR to another folder.`, file);
  }
  if (stat.size === 0) {
    throw new StartupError(
      'STARTUP_DB_EMPTY',
      `The database file ${file} is empty (0 bytes), so it holds no data, and Hookpress will not treat an existing file as a fresh install. If this is a new install, delete the file and start again; otherwise restore it from your backup (an interrupted copy or a full disk can leave a 0-byte file).`,
      file,
    );
  }
  const header = Buffer.alloc(16);
  try {
    const fd = fsi.openSync(file, 'r');
    try {
      fsi.readSync(fd, header, 0, 16, 0);
    } finally {
      fsi.closeSync(fd);
    }
  } catch (error) {
    throw unreadable(file, error);
  }
  if (!header.equals(SQLITE_HEADER)) throw corrupt(file, 'it does not start with the SQLite header');
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) throw unreadable(file, error);
    // A writer holding the lock is the lock file's business; only damage is refused here.
    if (!code.startsWith('SQLITE_BUSY') && !code.startsWith('SQLITE_LOCKED')) throw corrupt(file, (error as Error).message, error);
  } finally {
    db?.close();
  }
}

function unreadable(file: string, error: unknown): StartupError {
  return new StartupError(
    'STARTUP_DB_UNREADABLE',
    `The database file ${file} cannot be read (${errno(error)}). Give the user running Hookpress read and write access to it (and to its -wal and -shm files), then start again.`,
    file,
    { cause: error },
  );
}

function corrupt(file: string, why: string, cause?: unknown): StartupError {
  return new StartupError(
    'STARTUP_DB_CORRUPT',
    `The database file ${file} is damaged (${why}). Hookpress will not start on it, to avoid making it worse. Stop every process using it, then restore it from your backup; to try to salvage data, run: sqlite3 "${file}" ".recover" | sqlite3 recovered.sqlite`,
    file,
    { cause },
  );
}

/**
 * The start-up checks of a DATA_DIR, in order: the folder is writable, no other host holds it
 * (then this process does), and an existing database file is sound. Returns the lock's release.
 * @throws StartupError (see the checks)
 */
export async function openDataDir(dataDir: string, opts: { lock?: boolean } = {}): Promise<{ release: () => void }> {
  checkDataDir(dataDir);
  if (opts.lock === false) {
    // A tool beside the host (the CLI): no worker, no cron — SQLite's own locking is enough.
    checkDatabaseFile(path.join(dataDir, 'hookpress.sqlite'));
    return { release: () => {} };
  }
  const { acquireDataDirLock } = await import('./data-dir-lock.js');
  const lock = acquireDataDirLock(dataDir);
  try {
    checkDatabaseFile(path.join(dataDir, 'hookpress.sqlite'));
  } catch (error) {
    lock.release();
    throw error;
  }
  return lock;
}

/** A storage error met while opening or setting up the database at start, as a StartupError with the path and a remedy. */
export function startupStorageError(file: string, error: unknown, describe: (e: unknown) => string): StartupError {
  const code = (error as { code?: string }).code ?? '';
  const kind: StartupErrorCode = code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB') ? 'STARTUP_DB_CORRUPT' : 'STARTUP_DB_UNREADABLE';
  return new StartupError(kind, `Hookpress could not open or set up its database ${file}: ${(error as Error).message}. ${describe(error)}`, file, { cause: error });
}
