import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { withFaults, type FaultInjector } from './fault-injection.js';

export type Db = Database.Database;

/**
 * Opens the host's SQLite database: WAL (readers never block the writer), foreign keys on,
 * a busy timeout so a second connection waits instead of failing.
 */
export interface OpenOptions {
  /** How long a write waits for another connection's lock before SQLITE_BUSY, in ms (default 5000). */
  busyTimeoutMs?: number;
  /** Tests: route every call through this fault injector. */
  faults?: FaultInjector;
  /** SQLite `synchronous` (default FULL: a commit survives power loss, not only a killed process). */
  synchronous?: 'FULL' | 'NORMAL';
}

/**
 * Keeps DATA_DIR private: the folder 700, the database files 600 (they hold webhook secrets,
 * custom header values and the API secret). SQLite creates a database 644 and gives its -wal
 * and -shm files the main file's mode, so once the main file is 600 every later -wal/-shm is
 * too. Called before opening (the folder) and right after WAL is on (the files — not before,
 * as an empty pre-created file would read as a damaged database after a crash). Files of an
 * older installation are tightened; a chmod we may not make (not our file) is left as it is.
 */
export function secureDataFiles(dataDir: string, file?: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const paths = file ? [file, `${file}-wal`, `${file}-shm`] : [dataDir];
  for (const p of paths) {
    try {
      const current = fs.statSync(p).mode & 0o777;
      if (current & 0o077) fs.chmodSync(p, current & 0o700);
    } catch {
      // Missing, or not ours to change.
    }
  }
}

export function openDatabase(dataDir: string, options: OpenOptions = {}): Db {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    secureDataFiles(dataDir);
    file = path.join(dataDir, 'hookpress.sqlite');
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  if (file !== ':memory:') secureDataFiles(dataDir, file);
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  // FULL: in WAL mode NORMAL survives a killed process but may lose the last commits on power
  // loss; "nothing is lost" needs FULL. Cost measured by bench/delivery (README, Durability).
  db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  // Checkpoint every ~40 MB of WAL instead of 4 MB: measured +10–15 % commits/s under a
  // delivery burst (bench/delivery), at no cost to readers.
  db.pragma('wal_autocheckpoint = 10000');
  return options.faults ? withFaults(db, options.faults) : db;
}
