import fs from 'node:fs';
import type { Db } from './database.js';

/**
 * Durability of a commit without blocking the event loop on the disk.
 *
 * Under `synchronous=FULL` in WAL mode, SQLite calls fdatasync on the log inside COMMIT — on
 * the calling thread, which for better-sqlite3 is the event loop (profiled under a delivery
 * burst: ~37 % of the host's main thread waited in COMMIT). A commit made under `NORMAL` writes
 * the same log frames without the sync; an fdatasync of the log file made afterwards flushes
 * exactly those frames (and the log header, in the same file), which is what FULL's sync does
 * (https://www.sqlite.org/pragma.html#pragma_synchronous, https://www.sqlite.org/wal.html).
 * Made through libuv's thread pool, it leaves the event loop free while the disk works; commits
 * keep being made meanwhile and a later sync covers them too.
 *
 * So: run the transaction under NORMAL, then `await sync()` before telling anyone it is durable.
 */
export interface LogSync {
  /** Resolves once every commit made before the call is on disk; rejects with the OS error (EIO, ENOSPC). */
  sync(): Promise<void>;
  /** Runs `fn` with `synchronous=NORMAL`, restoring the connection's level after (FULL when the sync exists). */
  relaxed<T>(fn: () => T): T;
}

/**
 * The log sync of a file database in WAL mode whose `synchronous` is FULL or EXTRA, or
 * undefined: `:memory:` (nothing to sync), another journal mode, or `synchronous` already
 * NORMAL/OFF (the operator chose not to sync on commit; we do not either).
 */
export function logSyncFor(db: Db): LogSync | undefined {
  if (!db.name || db.memory || db.name === ':memory:') return undefined;
  if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return undefined;
  const level = Number(db.pragma('synchronous', { simple: true }));
  if (level < 2) return undefined;
  const walPath = `${db.name}-wal`;
  return {
    async sync() {
      // Opened per sync (a syscall, nothing next to the disk flush): no descriptor outlives the
      // database, and a log the checkpointer truncated or replaced is always the current one.
      let file: fs.promises.FileHandle;
      try {
        file = await fs.promises.open(walPath, 'r');
      } catch (error) {
        // No log: the last connection closed, which checkpoints the log into the database
        // file and syncs it before deleting the log — the commits are on disk already.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      try {
        await file.datasync();
      } finally {
        await file.close();
      }
    },
    relaxed<T>(fn: () => T): T {
      db.pragma('synchronous = NORMAL');
      try {
        return fn();
      } finally {
        db.pragma(`synchronous = ${level}`);
      }
    },
  };
}
