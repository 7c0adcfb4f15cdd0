import { randomBytes, randomFillSync } from 'node:crypto';
import { hostname } from 'node:os';

// Random bytes are drawn from a pooled buffer: one system call per 4 KB of ids, not per id.
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

function random9(): string {
  if (offset + 9 > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const s = pool.toString('base64url', offset, offset + 9);
  offset += 9;
  return s;
}

/** Time-ordered unique ids: prefix + base36 milliseconds + 12 random URL-safe characters. */
export function newId(prefix: 'msg' | 'evt', now: number): string {
  return `${prefix}_${now.toString(36).padStart(9, '0')}${random9()}`;
}

/**
 * A delivery worker's owner id, written with every lease it takes: `host:pid:random` (8 hex
 * characters), unique per worker even when a pid is reused on another host or after a restart.
 */
export function workerOwnerId(host = hostname(), pid = process.pid): string {
  return `${host}:${pid}:${randomBytes(4).toString('hex')}`;
}

/** The host and pid a workerOwnerId names, or undefined for anything else. */
export function ownerProcess(owner: string): { host: string; pid: number } | undefined {
  const m = /^(.*):(\d+):[0-9a-f]+$/.exec(owner);
  return m ? { host: m[1]!, pid: Number(m[2]) } : undefined;
}
