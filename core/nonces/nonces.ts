import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../config.js';

/** A nonce lives two ticks of 12 hours, as in WordPress (`nonce_life` = one day). */
export const NONCE_LIFE_MS = 24 * 60 * 60 * 1000;

/**
 * WordPress nonces: a 10-character HMAC of (tick, action, user, session token) with a secret
 * kept in DATA_DIR. `verify` answers 1 in the current 12-hour tick, 2 in the previous one,
 * false otherwise.
 */
export class Nonces {
  constructor(
    private readonly secret: Buffer,
    private readonly clock: Clock,
  ) {}

  tick(): number {
    return Math.ceil(this.clock() / (NONCE_LIFE_MS / 2));
  }

  create(action: string, userId: number, token: string): string {
    return this.hash(this.tick(), action, userId, token);
  }

  verify(nonce: unknown, action: string, userId: number, token: string): 1 | 2 | false {
    if (typeof nonce !== 'string' || nonce.length !== 10) return false;
    const tick = this.tick();
    if (safeEqual(nonce, this.hash(tick, action, userId, token))) return 1;
    if (safeEqual(nonce, this.hash(tick - 1, action, userId, token))) return 2;
    return false;
  }

  private hash(tick: number, action: string, userId: number, token: string): string {
    const mac = createHmac('sha256', this.secret).update(`${tick}|${action}|${userId}|${token}`).digest('hex');
    return mac.slice(-12, -2);
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
