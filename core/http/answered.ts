import type { ServerResponse } from 'node:http';

const held = new WeakSet<ServerResponse>();

/**
 * Marks `res` as answered by its handler: its `end()` was called, though a wrapper holds the
 * bytes back until something is durable (the unit of work's deferred writes, the session).
 */
export function markAnswered(res: ServerResponse): void {
  held.add(res);
}

/**
 * Whether a handler already answered `res`: its headers are sent, or its `end()` was called and
 * is held back (markAnswered). Code that answers "if nobody did yet" asks this, not
 * `headersSent`, which stays false while an answer is held back.
 */
export function isAnswered(res: ServerResponse): boolean {
  return res.headersSent || held.has(res);
}
