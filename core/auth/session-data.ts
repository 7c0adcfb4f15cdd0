import type { Notice } from '../admin/notices.js';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    /** Random per-login token: nonces are bound to it, so a new login invalidates old links. */
    token?: string;
    /** One-shot notices shown on the next page view. */
    notices?: Notice[];
  }
}

export {};
