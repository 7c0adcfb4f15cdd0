import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { DatabaseRateLimitStore } from './rate-limit-store.js';
import type { Host } from '../host.js';
import { EXPIRED_LINK, HttpError } from '../http/errors.js';
import { safeRedirect } from './redirect.js';
import { accountKey } from './account-key.js';

const REMEMBER_MS = 14 * 24 * 60 * 60 * 1000;
const GENERIC_ERROR = 'Unknown username or incorrect password.';

/**
 * /wp-login.php: the login form (fields log, pwd, rememberme, redirect_to), log out through a
 * nonce'd link, and throttling of failed attempts per IP and per account.
 */
export function loginRoutes(host: Host, viewsDir: string, networkName: () => string): express.Router {
  const router = express.Router();
  const view = path.join(viewsDir, 'login.ejs');
  const render = (res: Response, status: number, data: { error?: string; message?: string; log?: string; redirectTo?: string; rememberme?: boolean }) =>
    res.status(status).render(view, {
      networkName: networkName(),
      error: data.error ?? '',
      message: data.message ?? '',
      log: data.log ?? '',
      redirectTo: data.redirectTo ?? '',
      rememberme: data.rememberme ?? false,
    });

  const { perIp, perAccount, windowMs } = host.config.loginAttempts;
  const tooMany = (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    render(res, 429, {
      error: `Too many failed login attempts. Please try again in ${Math.ceil(windowMs / 60000)} minutes.`,
      log: typeof body.log === 'string' ? body.log : '',
      redirectTo: safeRedirect(body.redirect_to, ''),
    });
  };
  // Only failed attempts count: a successful login never locks anyone out.
  const common = {
    windowMs,
    standardHeaders: 'draft-8' as const,
    legacyHeaders: false,
    requestWasSuccessful: (_req: Request, res: Response) => res.locals.loginOk === true,
    skipSuccessfulRequests: true,
    handler: tooMany,
  };
  // Counters in the database: every host process on it counts the same failures.
  const ipLimiter = rateLimit({ ...common, limit: perIp, store: new DatabaseRateLimitStore(host.query.db, 'login-ip:', host.config.clock) });
  // Per account *and* address: the login and the email of one account share a counter, and
  // guesses from one address never lock the real user out from another (see README, Logging in).
  const accountLimiter = rateLimit({
    ...common,
    limit: perAccount,
    store: new DatabaseRateLimitStore(host.query.db, 'login-account:', host.config.clock),
    keyGenerator: async (req) => `account:${await accountKey(host.users, String(((req.body ?? {}) as Record<string, unknown>).log ?? ''))}|${req.ip ?? ''}`,
    validate: { keyGeneratorIpFallback: false },
  });

  router.get('/wp-login.php', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    if (q.action === 'logout') {
      const userId = req.session.userId;
      if (!userId || host.nonces.verify(q._wpnonce, 'log-out', userId, req.session.token ?? '') === false) {
        throw new HttpError(403, `${EXPIRED_LINK} Please try again.`, 'Something went wrong.');
      }
      host.hooks.do_action('wp_logout', userId);
      const next = safeRedirect(q.redirect_to, '');
      req.session.destroy(() => res.redirect(303, `/wp-login.php?loggedout=true${next ? `&redirect_to=${encodeURIComponent(next)}` : ''}`));
      return;
    }
    const redirectTo = safeRedirect(q.redirect_to, '');
    const current = req.session.userId ? await host.users.getAsync(req.session.userId) : undefined;
    if (current && host.users.user_can(current.id, 'manage_network')) {
      res.redirect(303, redirectTo || '/wp-admin/network/');
      return;
    }
    // Logged in without network rights: redirecting would loop back to a 403; offer the form.
    const message = current
      ? `You are logged in as ${current.login}, who cannot manage this network. Log in as someone else below.`
      : q.loggedout
        ? 'You are now logged out.'
        : '';
    render(res, 200, { redirectTo, message });
  });

  router.post('/wp-login.php', ipLimiter, accountLimiter, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const log = typeof body.log === 'string' ? body.log.trim() : '';
    const pwd = typeof body.pwd === 'string' ? body.pwd : '';
    const redirectTo = safeRedirect(body.redirect_to, '');
    const rememberme = body.rememberme === 'forever';
    const user = log && pwd ? await host.users.authenticate(log, pwd) : null;
    if (!user) {
      host.hooks.do_action('wp_login_failed', log);
      render(res, 200, { error: GENERIC_ERROR, log, redirectTo, rememberme });
      return;
    }
    res.locals.loginOk = true;
    // A new session id at login defeats session fixation.
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    req.session.userId = user.id;
    req.session.token = randomBytes(16).toString('hex');
    if (rememberme) req.session.cookie.maxAge = REMEMBER_MS;
    host.hooks.do_action('wp_login', user.login, user);
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
    res.redirect(303, redirectTo || '/wp-admin/network/');
  });

  return router;
}
