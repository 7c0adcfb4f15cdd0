import express, { type NextFunction, type Request, type Response } from 'express';
import type { Host } from '../host.js';
import type { PluginManager } from '../plugins/plugin-manager.js';
import { HttpError, NOT_ALLOWED } from '../http/errors.js';
import { html } from '../http/html.js';
import { loginUrl, safeRedirect } from '../auth/redirect.js';
import type { User } from '../users/users-store.js';
import type { AdminShell } from './shell.js';
import type { PageContext } from './page-context.js';
import { dashboardScreen } from './screens/dashboard.js';
import { sitesScreen, siteNewScreen } from './screens/sites.js';
import { usersScreen, userNewScreen } from './screens/users.js';
import { pluginsScreen } from './screens/plugins.js';
import { settingsScreen } from './screens/settings.js';
import { cronScreen } from './screens/cron.js';
import { apiSettingsScreen } from './screens/api-settings.js';
import { profileScreen } from './screens/profile.js';
import { isAnswered } from '../http/answered.js';

export interface ScreenDeps {
  host: Host;
  shell: AdminShell;
  plugins: PluginManager;
}

/** A core screen: its capability, screen id (for `load-{id}`) and handler. */
export interface Screen {
  capability: string;
  id: string;
  handle: (ctx: PageContext, deps: ScreenDeps) => Promise<void> | void;
}

/** Anonymous → the login page with redirect_to; logged in → the user on res.locals. */
function requireUser(host: Host) {
  return async (req: Request, res: Response, next: NextFunction) => {
    // Read afresh each request (a user deleted through another process is logged out here), which
    // on PostgreSQL also gives the synchronous capability checks their user (Users' cache).
    let user: User | undefined;
    try {
      user = req.session.userId ? await host.users.getAsync(req.session.userId) : undefined;
    } catch (error) {
      return next(error);
    }
    if (!user) {
      res.redirect(302, loginUrl(req.originalUrl));
      return;
    }
    res.locals.user = user;
    next();
  };
}

/**
 * The network admin at /wp-admin/network/: core screens at WordPress's file names, plugin
 * pages at admin.php?page=<slug>. Every request is authenticated, fires `admin_init`, and is
 * capability-checked; every state change also checks a nonce (in the screens).
 */
export function adminRoutes(deps: ScreenDeps): express.Router {
  const { host, shell } = deps;
  const router = express.Router();
  router.use(requireUser(host));
  router.use((_req, _res, next) => {
    host.adminMenu.ensure();
    host.hooks.do_action('admin_init', '');
    next();
  });

  const mount = (paths: string[], screen: Screen) => {
    const handler = async (req: Request, res: Response) => {
      const user = res.locals.user as User;
      if (!host.users.user_can(user.id, screen.capability)) throw new HttpError(403, NOT_ALLOWED);
      const ctx = shell.context(req, res, user, screen.id);
      await host.hooks.do_action_async(`load-${screen.id}`, ctx);
      if (!isAnswered(res)) await screen.handle(ctx, deps);
    };
    for (const p of paths) router.all(p, handler);
  };

  mount(['/', '/index.php'], dashboardScreen);
  mount(['/sites.php'], sitesScreen);
  mount(['/site-new.php'], siteNewScreen);
  mount(['/users.php'], usersScreen);
  mount(['/user-new.php'], userNewScreen);
  mount(['/plugins.php'], pluginsScreen);
  mount(['/settings.php'], settingsScreen);
  mount(['/cron.php'], cronScreen);
  mount(['/settings-api.php'], apiSettingsScreen);
  mount(['/profile.php'], profileScreen);

  router.post('/dismiss-notice', async (req, res) => {
    const user = res.locals.user as User;
    if (!host.users.user_can(user.id, 'manage_network')) throw new HttpError(403, NOT_ALLOWED);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const id = String(body.id ?? '');
    const ctx = shell.context(req, res, user, 'dismiss-notice');
    ctx.check_admin_referer(`dismiss-notice_${id}`);
    await host.notices.dismissAsync(id);
    res.redirect(303, safeRedirect(body.redirect_to));
  });

  // Plugin pages: the page hook's callbacks render, after admin_init and load-{page_hook}.
  router.all('/admin.php', async (req, res) => {
    const user = res.locals.user as User;
    const slug = typeof req.query.page === 'string' ? req.query.page : '';
    const page = host.menu.findPage(slug);
    if (!page) throw new HttpError(404, 'The page you are looking for does not exist.', 'Not Found');
    if (!host.users.user_can(user.id, page.capability)) throw new HttpError(403, NOT_ALLOWED);
    const ctx = shell.context(req, res, user, page.hookName);
    await host.hooks.do_action_async(`load-${page.hookName}`, ctx);
    if (isAnswered(res)) return;
    await host.hooks.do_action_async(page.hookName, ctx);
    if (!isAnswered(res)) await ctx.renderHtml(html``, { title: page.pageTitle });
  });

  router.use(() => {
    throw new HttpError(404, 'The page you are looking for does not exist.', 'Not Found');
  });
  return router;
}
