import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'hookpress.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `hookpress …` as a child process (the real bin) on a DATA_DIR. */
export function hookpress(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ADMIN_PASSWORD: 'cli-admin-password', LOG_LEVEL: 'error', ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A fresh temporary DATA_DIR and its removal. */
export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookpress-cli-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
