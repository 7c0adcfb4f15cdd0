import { randomBytes } from 'node:crypto';

/** Time-ordered unique ids: prefix + base36 milliseconds + 12 random URL-safe characters. */
export function newId(prefix: 'msg' | 'evt', now: number): string {
  return `${prefix}_${now.toString(36).padStart(9, '0')}${randomBytes(9).toString('base64url')}`;
}
