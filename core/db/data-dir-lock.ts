import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StartupError } from './startup-checks.js';

export const LOCK_FILE = 'hookpress.lock';

interface LockRecord {
  pid: number;
  hostname: string;
  started: string;
}

/** Whether a process with this pid runs on this machine (signal 0 probes without signalling). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One host process per DATA_DIR until shared operation exists: DATA_DIR/hookpress.lock is
 * created exclusively (O_EXCL) and holds the holder's pid, host name and start time. A lock
 * whose pid no longer runs on this machine (a host killed with SIGKILL, a crash) is stale and
 * taken over. Released by `release()` and, as a last resort, when the process exits.
 *
 * Not proper-lockfile: it keeps no pid (it detects staleness by a refreshed mtime), and the
 * refusal message must name the holder.
 * @throws StartupError STARTUP_DATA_DIR_IN_USE naming the holder's pid and the lock file
 */
export function acquireDataDirLock(dataDir: string): { file: string; release: () => void } {
  const file = path.join(dataDir, LOCK_FILE);
  const mine: LockRecord = { pid: process.pid, hostname: os.hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: 'wx', mode: 0o644 });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          const current = JSON.parse(fs.readFileSync(file, 'utf8')) as LockRecord;
          if (current.pid === mine.pid && current.started === mine.started) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.on('exit', release);
      return { file, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: LockRecord | undefined;
    try {
      holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockRecord;
    } catch {
      holder = undefined; // unreadable or half-written: treated as stale below
    }
    const sameMachine = holder?.hostname === os.hostname();
    if (holder && Number.isInteger(holder.pid) && (!sameMachine || processAlive(holder.pid))) {
      throw new StartupError(
        'STARTUP_DATA_DIR_IN_USE',
        `Another Hookpress process (pid ${holder.pid} on ${holder.hostname}, started ${holder.started}) is using the data folder ${dataDir}. ` +
          `Only one host may use a DATA_DIR until shared operation exists: stop that process first, or give this one another DATA_DIR. ` +
          `If no such process runs${sameMachine ? '' : ' on that machine'}, delete ${file} and start again.`,
        file,
      );
    }
    // Stale: its holder is gone. Remove it and try again (another starter may race us: O_EXCL decides).
    try {
      fs.unlinkSync(file);
    } catch {
      /* someone else removed it */
    }
  }
  throw new StartupError('STARTUP_DATA_DIR_IN_USE', `Could not take the lock file ${file}: other processes keep replacing it. Stop them and start again.`, file);
}
