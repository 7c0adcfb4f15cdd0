import type { NextFunction, Request, Response } from 'express';
import type { Host } from '../host.js';

/**
 * Dispatches requests to the public routes plugins added. A route path may end with a
 * `:param` segment-free prefix match: "/webhook-inspector" also serves "/webhook-inspector/abc"
 * with req.params-like access through req.path. Exact and prefix matches are tried in that order.
 */
export function publicPluginRoutes(host: Host) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (host.publicRoutes.size === 0) return next();
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    let route = host.publicRoutes.get(`${method} ${req.path}`);
    if (!route) {
      for (const [key, r] of host.publicRoutes) {
        const [m, p] = key.split(' ') as [string, string];
        if (m === method && p.endsWith('/') && req.path.startsWith(p)) {
          route = r;
          break;
        }
      }
    }
    if (!route) return next();
    await route.handler(req, res);
  };
}
