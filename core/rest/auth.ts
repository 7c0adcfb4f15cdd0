import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Host } from '../host.js';
import type { NetworkApiKey } from './api-key.js';
import type { ApplicationPasswords } from './application-passwords.js';
import { RestError, toRestError } from './errors.js';
import type { RestAuth } from './types.js';

const NOBODY: RestAuth = { kind: 'none', userId: null, can: () => false };

/** Reads `Authorization: Basic base64(user:password)`; undefined when absent or not Basic. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=._-]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Who a REST request acts as, in this order:
 * 1. HTTP Basic: the network API key + secret (acts as the network), else a username or email
 *    with one of its Application Passwords (acts as that user);
 * 2. `api_key` + `api_secret` parameters (Ultimate Multisite's alternative to Basic);
 * 3. the login cookie, only together with a valid `X-WP-Nonce` (or `_wpnonce`) for the action
 *    `wp_rest` — a cookie alone is anonymous, as in WordPress (rest_cookie_check_errors).
 * Wrong credentials are a 401 `incorrect_password` and count towards the failure throttle
 * (`res.locals.restAuthFailed`); credentials are never logged.
 */
export function restAuthenticator(host: Host, apiKey: NetworkApiKey, appPasswords: ApplicationPasswords) {
  const asNetwork: RestAuth = { kind: 'api_key', userId: null, can: (cap) => cap !== 'do_not_allow' };
  const asUser = (kind: RestAuth['kind'], userId: number): RestAuth => ({ kind, userId, can: (cap) => host.users.user_can(userId, cap) });
  const fail = (res: Response, error: RestError): never => {
    res.locals.restAuthFailed = true;
    throw error;
  };
  const wrong = () => new RestError('incorrect_password', 'The credentials are incorrect (API key and secret, or username and application password).', undefined, 401);
  const viaKey = (res: Response, key: string, secret: string): RestAuth | undefined => {
    const outcome = apiKey.check(key, secret);
    if (outcome === 'not-key') return undefined;
    if (outcome === 'wrong') fail(res, wrong());
    if (outcome === 'disabled') throw new RestError('rest_api_disabled', 'The network API is disabled. Enable it in Settings → API & Webhooks.', undefined, 403);
    return asNetwork;
  };

  return async (req: Request, res: Response): Promise<RestAuth> => {
    const basic = basicCredentials(req.headers.authorization);
    if (basic) {
      const key = viaKey(res, basic.user, basic.password);
      if (key) return key;
      const user = appPasswords.authenticate(basic.user, basic.password, req.ip ?? '');
      if (!user) return fail(res, wrong());
      return asUser('application_password', user.id);
    }
    const params = { ...(req.query as Record<string, unknown>), ...((req.body ?? {}) as Record<string, unknown>) };
    if (params.api_key !== undefined || params.api_secret !== undefined) {
      const key = viaKey(res, String(params.api_key ?? ''), String(params.api_secret ?? ''));
      return key ?? fail(res, wrong());
    }
    const userId = req.session?.userId;
    const nonce = req.headers['x-wp-nonce'] ?? params._wpnonce;
    if (userId && nonce !== undefined) {
      if (host.nonces.verify(nonce, 'wp_rest', userId, req.session.token ?? '') === false) {
        throw new RestError('rest_cookie_invalid_nonce', 'Cookie check failed: the X-WP-Nonce is missing or expired.', undefined, 403);
      }
      return asUser('cookie', userId);
    }
    return NOBODY;
  };
}

/**
 * Throttles failed REST authentications per IP like failed logins (config.loginAttempts.perIp
 * per window): once over, every request from that address gets 429 `rest_too_many_attempts`
 * until the window passes. Successful requests never count.
 */
export function restAuthThrottle(host: Host): RequestHandler {
  const { perIp, windowMs } = host.config.loginAttempts;
  return rateLimit({
    windowMs,
    limit: perIp,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.locals.restAuthFailed !== true,
    handler: (_req, res) => {
      const body = toRestError(new RestError('rest_too_many_attempts', `Too many failed authentications. Try again in ${Math.ceil(windowMs / 60000)} minutes.`, undefined, 429));
      res.status(429).json(body);
    },
  });
}
