import type { Request, RequestHandler, Response } from 'express';
import type { Options, Store } from 'express-rate-limit';
import type { Kysely } from 'kysely';
import { DatabaseRateLimitStore } from '../auth/rate-limit-store.js';
import { accountKey, type FindsUsers } from '../auth/account-key.js';
import type { Clock } from '../config.js';
import type { CoreTables } from '../db/tables.js';
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
 * (`res.locals.restAuthFailed`, with the identity tried in `res.locals.restAuthIdentity`); credentials are never logged.
 */
export function restAuthenticator(host: Host, apiKey: NetworkApiKey, appPasswords: ApplicationPasswords) {
  const asNetwork: RestAuth = { kind: 'api_key', userId: null, can: (cap) => cap !== 'do_not_allow' };
  const asUser = (kind: RestAuth['kind'], userId: number): RestAuth => ({ kind, userId, can: (cap) => host.users.user_can(userId, cap) });
  const fail = (res: Response, error: RestError): never => {
    res.locals.restAuthFailed = true;
    throw error;
  };
  const wrong = () => new RestError('incorrect_password', 'The credentials are incorrect (API key and secret, or username and application password).', undefined, 401);
  const viaKey = async (res: Response, key: string, secret: string): Promise<RestAuth | undefined> => {
    const outcome = await apiKey.check(key, secret);
    if (outcome === 'not-key') return undefined;
    if (outcome === 'wrong') fail(res, wrong());
    if (outcome === 'disabled') throw new RestError('rest_api_disabled', 'The network API is disabled. Enable it in Settings → API & Webhooks.', undefined, 403);
    return asNetwork;
  };

  return async (req: Request, res: Response): Promise<RestAuth> => {
    const basic = basicCredentials(req.headers.authorization);
    if (basic) {
      res.locals.restAuthIdentity = basic.user;
      const key = await viaKey(res, basic.user, basic.password);
      if (key) return key;
      const user = await appPasswords.authenticate(basic.user, basic.password, req.ip ?? '');
      if (!user) return fail(res, wrong());
      // PostgreSQL: capability checks (synchronous) read the users this process has read.
      await host.users.getAsync(user.id);
      return asUser('application_password', user.id);
    }
    const params = { ...(req.query as Record<string, unknown>), ...((req.body ?? {}) as Record<string, unknown>) };
    if (params.api_key !== undefined || params.api_secret !== undefined) {
      res.locals.restAuthIdentity = String(params.api_key ?? '');
      const key = await viaKey(res, String(params.api_key ?? ''), String(params.api_secret ?? ''));
      return key ?? fail(res, wrong());
    }
    const userId = req.session?.userId;
    const nonce = req.headers['x-wp-nonce'] ?? params._wpnonce;
    if (userId && nonce !== undefined) {
      if (host.nonces.verify(nonce, 'wp_rest', userId, req.session.token ?? '') === false) {
        throw new RestError('rest_cookie_invalid_nonce', 'Cookie check failed: the X-WP-Nonce is missing or expired.', undefined, 403);
      }
      await host.users.getAsync(userId);
      return asUser('cookie', userId);
    }
    return NOBODY;
  };
}

/**
 * Throttles failed REST authentications without ever refusing a correct credential: failures
 * are counted per client address (config.loginAttempts.perIp per window) and per credential
 * identity — the API key, or the account whose username or email was given: one counter per
 * account whichever of the two (in any case) is tried, as for web logins (accountKey; perAccount
 * per window, across addresses). A request whose credentials are right, or that sends none, is never throttled;
 * one whose credentials are wrong gets 429 `rest_too_many_attempts` (with Retry-After) instead
 * of 401 once its address or identity is over the limit, so another client's failures behind
 * the same address (or a reverse proxy without TRUST_PROXY) cannot lock integrations out.
 * Counters live in the database (DatabaseRateLimitStore, prefixes `rest-ip:` and
 * `rest-identity:`, fixed windows), so every host process on the database enforces the same limit.
 */
export class RestAuthThrottle {
  private readonly perIp: Store;
  private readonly perIdentity: Store;
  constructor(
    private readonly limits: { perIp: number; perAccount: number; windowMs: number },
    db: Kysely<CoreTables>,
    private readonly clock: Clock = Date.now,
    /** Resolves a login or email to its account (accountKey); without it, identities count as given, trimmed and lower-cased. */
    private readonly users?: FindsUsers,
  ) {
    this.perIp = new DatabaseRateLimitStore(db, 'rest-ip:', clock);
    this.perIdentity = new DatabaseRateLimitStore(db, 'rest-identity:', clock);
    for (const store of [this.perIp, this.perIdentity]) void store.init?.({ windowMs: limits.windowMs } as Options);
  }

  /** Records one failure; resolves to the seconds to wait when the caller is now over a limit, else undefined. */
  async failed(ip: string, identity: string | undefined): Promise<number | undefined> {
    const now = this.clock();
    const byIp = await this.perIp.increment(ip);
    const byId = identity === undefined ? undefined : await this.perIdentity.increment(await this.identityKey(identity));
    const over = [byIp.totalHits > this.limits.perIp ? byIp : undefined, byId && byId.totalHits > this.limits.perAccount ? byId : undefined].filter((x) => x !== undefined);
    if (!over.length) return undefined;
    const reset = Math.max(...over.map((x) => x!.resetTime?.getTime() ?? now + this.limits.windowMs));
    return Math.max(1, Math.ceil((reset - now) / 1000));
  }

  private async identityKey(identity: string): Promise<string> {
    return this.users ? accountKey(this.users, identity) : identity.trim().toLowerCase();
  }
}

/** Wraps an authenticator so that its credential failures go through the throttle (401 → 429 when over). */
export function throttledAuthenticator(
  authenticate: (req: Request, res: Response) => Promise<RestAuth>,
  throttle: RestAuthThrottle,
): (req: Request, res: Response) => Promise<RestAuth> {
  return async (req, res) => {
    try {
      return await authenticate(req, res);
    } catch (error) {
      if (res.locals.restAuthFailed !== true) throw error;
      const wait = await throttle.failed(req.ip ?? '', res.locals.restAuthIdentity as string | undefined);
      if (wait === undefined) throw error;
      res.setHeader('Retry-After', String(wait));
      throw new RestError('rest_too_many_attempts', `Too many failed authentications. Try again in ${Math.ceil(wait / 60)} minutes.`, undefined, 429);
    }
  };
}
