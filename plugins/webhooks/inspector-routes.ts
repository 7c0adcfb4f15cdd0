import type { PluginApi, PublicHandler } from '../../core/plugin-sdk.js';
import { INSPECTOR_PATH, type Inspector } from './inspector.js';

/** The inbox URLs: POST from anywhere, stored; any other method 405 (Allow: POST); expired or unknown tokens are 404. */
export function registerInspectorRoutes(api: PluginApi, inspector: Inspector): void {
  api.routes.post(
    INSPECTOR_PATH,
    async (req, res) => {
      const token = req.path.slice(INSPECTOR_PATH.length);
      if (!(await inspector.inboxAsync(token))) return void res.status(404).type('text').send('No such inspector inbox (it may have expired).');
      if (!(await inspector.allow(token))) return void res.status(429).set('retry-after', '60').type('text').send('Too many requests to this inbox; try again in a minute.');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      // The bytes as they arrived (invalid UTF-8 and NUL too): what the sender signed.
      const body = req.rawBody ?? Buffer.alloc(0);
      await inspector.receiveAsync(token, { method: req.method, headers, body, sourceIp: req.socket.remoteAddress ?? '' });
      res.status(200).json({ received: true });
    },
    { maxBodyBytes: inspector.settings.maxBodyBytes },
  );
  // An inbox takes POST alone: GET (and HEAD) and every other method are 405 with `Allow`,
  // as HTTP asks, not the host's 404 page — which would read as "no such inbox".
  const postOnly: PublicHandler = async (req, res) => {
    const token = req.path.slice(INSPECTOR_PATH.length);
    if (!(await inspector.inboxAsync(token))) return void res.status(404).type('text').send('No such inspector inbox (it may have expired).');
    res.status(405).set('allow', 'POST').type('text').send('This inspector inbox accepts POST requests. See them under Network Admin → Webhooks → Request Inspector.');
  };
  api.routes.get(INSPECTOR_PATH, postOnly);
  api.routes.otherMethods(INSPECTOR_PATH, postOnly);
}
