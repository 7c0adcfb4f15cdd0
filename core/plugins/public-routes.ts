import type { NextFunction, Request, Response } from 'express';
import type { Host } from '../host.js';

const DEFAULT_MAX_BODY = 1024 * 1024;

/** The method key of an `otherMethods` route: it takes the methods no other route of its path takes. */
export const OTHER_METHODS = '*';

type PublicRoute = Host['publicRoutes'] extends Map<string, infer R> ? R : never;

/** The route of `method` serving `requestPath`: its exact path first, then a prefix ("/x/" serves "/x/abc"). */
function findRoute(host: Host, method: string, requestPath: string): PublicRoute | undefined {
  const exact = host.publicRoutes.get(`${method} ${requestPath}`);
  if (exact) return exact;
  for (const [key, r] of host.publicRoutes) {
    const [m, p] = key.split(' ') as [string, string];
    if (m === method && p.endsWith('/') && requestPath.startsWith(p) && requestPath.length > p.length) return r;
  }
  return undefined;
}

/**
 * Dispatches requests to the public routes plugins added: exact paths first, then paths
 * ending with "/" as prefixes ("/webhook-inspector/" serves "/webhook-inspector/abc"); a
 * method with no route of its own goes to the path's `otherMethods` route, if any.
 * It runs before any body parser: a POST handler gets the raw bytes as `req.rawBody`, read up
 * to the route's limit; a larger body is answered 413 and not read further.
 */
export function publicPluginRoutes(host: Host) {
  return async (req: Request & { rawBody?: Buffer }, res: Response, next: NextFunction) => {
    if (host.publicRoutes.size === 0) return next();
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const route = findRoute(host, method, req.path) ?? findRoute(host, OTHER_METHODS, req.path);
    if (!route) return next();
    if (method === 'POST') {
      const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY;
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > limit) return void res.status(413).type('text').set('connection', 'close').send('Payload Too Large');
      const body = await readBody(req, limit);
      if (body === null) return void res.status(413).type('text').set('connection', 'close').send('Payload Too Large');
      req.rawBody = body;
    }
    await route.handler(req, res);
  };
}

function readBody(req: Request, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => !done && ((done = true), resolve(Buffer.concat(chunks))));
    req.on('error', (e) => !done && ((done = true), reject(e)));
  });
}
