import type { NextFunction, Request, Response } from 'express';
import type { Host } from '../host.js';

const DEFAULT_MAX_BODY = 1024 * 1024;

/**
 * Dispatches requests to the public routes plugins added: exact paths first, then paths
 * ending with "/" as prefixes ("/webhook-inspector/" serves "/webhook-inspector/abc").
 * It runs before any body parser: a POST handler gets the raw bytes as `req.rawBody`, read up
 * to the route's limit; a larger body is answered 413 and not read further.
 */
export function publicPluginRoutes(host: Host) {
  return async (req: Request & { rawBody?: Buffer }, res: Response, next: NextFunction) => {
    if (host.publicRoutes.size === 0) return next();
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    let route = host.publicRoutes.get(`${method} ${req.path}`);
    if (!route) {
      for (const [key, r] of host.publicRoutes) {
        const [m, p] = key.split(' ') as [string, string];
        if (m === method && p.endsWith('/') && req.path.startsWith(p) && req.path.length > p.length) {
          route = r;
          break;
        }
      }
    }
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
