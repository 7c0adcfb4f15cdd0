import type { NextFunction, Request, Response } from 'express';

/**
 * The headers that keep a page out of every cache, as WordPress's `wp_get_nocache_headers()`
 * (wp-includes/functions.php) sends them: admin pages and the login screen show private data
 * (request bodies in the inspector, secrets being rotated) that a shared proxy or the browser's
 * back-forward cache must not keep.
 */
export const NOCACHE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cache-Control': 'no-cache, must-revalidate, max-age=0, no-store, private',
  Expires: 'Wed, 11 Jan 1984 05:00:00 GMT',
});

/** Express middleware: `nocache_headers()` on every response it passes (WordPress's admin and wp-login.php send them). */
export function nocacheHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set(NOCACHE_HEADERS);
  next();
}
