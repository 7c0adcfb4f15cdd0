import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where a test host keeps its data: the shared DATA_DIR; the second host starts without the directory lock. */
export interface SharedDataDir {
  dataDir: string;
  lockDataDir?: boolean;
}

/**
 * Runs `test` with two host processes' worth of hosts on one SQLite DATA_DIR (the CLI beside a
 * server, or a second process), made by `make`; closes both (second first) and removes the
 * directory afterwards, passed or failed.
 */
export async function onOneDataDir<T>(make: (dir: SharedDataDir) => Promise<T>, close: (host: T) => Promise<void>, test: (a: T, b: T) => Promise<void>): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-two-hosts-'));
  let a: T | undefined;
  let b: T | undefined;
  try {
    a = await make({ dataDir });
    b = await make({ dataDir, lockDataDir: false });
    await test(a, b);
  } finally {
    if (b !== undefined) await close(b);
    if (a !== undefined) await close(a);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
