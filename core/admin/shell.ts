import { menuIconGlyph } from './icons.js';
import { MAX_FORM_BYTES } from '../http/form-limit.js';
import ejs from 'ejs';
import path from 'node:path';
import type { Request, Response } from 'express';
import type { Hooks } from '../hooks/index.js';
import type { SiteOptions } from '../options/site-options.js';
import type { Users } from '../users/users.js';
import type { User } from '../users/users-store.js';
import type { Nonces } from '../nonces/nonces.js';
import { html, raw, toHtml, type SafeHtml } from '../http/html.js';
import type { AdminMenu, MenuPage } from './menu.js';
import type { PersistentNotices, Notice } from './notices.js';
import { createPageContext, networkAdminUrl, type PageContext, type RenderOptions } from './page-context.js';

export interface ShellDeps {
  hooks: Hooks;
  menu: AdminMenu;
  notices: PersistentNotices;
  options: SiteOptions;
  users: Users;
  nonces: Nonces;
  viewsDir: string;
}

/** What `network_admin_notices` / `all_admin_notices` callbacks receive to print notices. */
export interface NoticePrinter {
  notice(type: Notice['type'], message: string): void;
  html(markup: SafeHtml): void;
}

/**
 * The network admin shell: admin bar, capability-filtered left menu, notices, and the page
 * body, rendered from views/admin/layout.ejs.
 */
export class AdminShell {
  constructor(private readonly deps: ShellDeps) {}

  networkName(): string {
    return String(this.deps.options.get_site_option('site_name', 'Hookpress Network'));
  }

  context(req: Request, res: Response, user: User, hookName: string): PageContext {
    const { nonces, users } = this.deps;
    return createPageContext(req, res, user, hookName, {
      nonceCreate: (a, u, t) => nonces.create(a, u, t),
      nonceVerify: (n, a, u, t) => nonces.verify(n, a, u, t),
      userCan: (u, cap) => users.user_can(u, cap),
      renderView: (view, data) => this.renderView(view, data),
      renderShell: (ctx, body, opts) => this.renderShell(ctx, body, opts),
    });
  }

  async renderView(view: string, data: Record<string, unknown>): Promise<string> {
    return ejs.renderFile(view, { html, raw, toHtml, ...data }, { cache: process.env.NODE_ENV === 'production', async: false });
  }

  async renderShell(ctx: PageContext, body: SafeHtml, opts: RenderOptions): Promise<void> {
    const { req, res, user } = ctx;
    const flash = req.session.notices ?? [];
    req.session.notices = [];
    const printer: SafeHtml[] = [];
    const noticePrinter: NoticePrinter = {
      notice: (type, message) =>
        printer.push(html`<div class="notice notice-${type}" role="${type === 'error' ? 'alert' : 'status'}"><p>${message}</p></div>`),
      html: (markup) => printer.push(markup),
    };
    this.deps.hooks.do_action('network_admin_notices', noticePrinter, ctx);
    this.deps.hooks.do_action('all_admin_notices', noticePrinter, ctx);
    const persistent = ctx.current_user_can('manage_network')
      ? (await this.deps.notices.listAsync()).map((n) => ({ ...n, dismissNonce: ctx.wp_create_nonce(`dismiss-notice_${n.id}`) }))
      : [];
    const layout = path.join(this.deps.viewsDir, 'admin', 'layout.ejs');
    const page = await ejs.renderFile(layout, {
      title: opts.title,
      networkName: this.networkName(),
      user,
      menu: this.visibleMenu(ctx),
      notices: [...flash, ...persistent],
      actionNotices: printer.map((p) => p.value).join(''),
      body: body.value,
      logoutUrl: `/wp-login.php?action=logout&_wpnonce=${ctx.wp_create_nonce('log-out')}`,
      currentUrl: req.originalUrl,
      bodyClass: ctx.hookName.replace(/[^a-z0-9_-]/gi, '-'),
      scripts: ['/assets/js/admin.js', `/assets/js/form-size.js?max=${MAX_FORM_BYTES}`, ...ctx.scripts],
      styles: ctx.styles,
    });
    res.status(opts.status ?? 200).type('html').send(page);
  }

  private visibleMenu(ctx: PageContext) {
    const url = new URL(ctx.req.originalUrl, 'http://x');
    const here = url.pathname.replace(/^\/wp-admin\/network\//, '') || 'index.php';
    const page = url.searchParams.get('page');
    const isCurrent = (item: MenuPage): boolean => {
      const target = new URL(networkAdminUrl(item.url), 'http://x');
      const targetPath = target.pathname.replace(/^\/wp-admin\/network\//, '') || 'index.php';
      if (targetPath !== here) return false;
      return targetPath === 'admin.php' ? target.searchParams.get('page') === page : true;
    };
    return this.deps.menu
      .entries()
      .filter((item) => ctx.current_user_can(item.capability))
      .map((item) => {
        const allowed = item.submenu.filter((s) => ctx.current_user_can(s.capability));
        // A submenu entry without a menu title is routed and highlights its parent, unlisted.
        const currentSub = allowed.some((s) => isCurrent(s));
        const submenu = allowed
          .filter((s) => s.menuTitle !== '')
          .map((s) => ({ menuTitle: s.menuTitle, href: networkAdminUrl(s.url), current: isCurrent(s) }));
        return {
          menuTitle: item.menuTitle,
          href: networkAdminUrl(item.url),
          icon: item.icon ?? 'dashicons-admin-generic',
          ...(({ glyph, known }) => ({ iconGlyph: glyph, iconKnown: known }))(menuIconGlyph(item.icon ?? 'dashicons-admin-generic', item.menuTitle)),
          current: currentSub || isCurrent(item),
          currentSub,
          submenu,
        };
      });
  }
}
