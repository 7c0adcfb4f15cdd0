import type { Request, Response } from 'express';
import type { User } from '../users/users-store.js';
import { html, raw, type SafeHtml } from '../http/html.js';
import { EXPIRED_LINK, HttpError } from '../http/errors.js';
import type { Notice, NoticeType } from './notices.js';
import { assertNoticeType } from './notices.js';

export interface RenderOptions {
  title: string;
  status?: number;
}

/**
 * Everything a screen needs about the current request: the user, capabilities, nonces
 * bound to this user and session, one-shot notices, and rendering inside the admin shell.
 * Passed to page callbacks and to `load-{page_hook}` actions.
 */
export interface PageContext {
  req: Request;
  res: Response;
  user: User;
  /** The page hook name (`toplevel_page_{slug}`…) for plugin pages, the screen id otherwise. */
  hookName: string;
  current_user_can(capability: string): boolean;
  wp_create_nonce(action: string): string;
  wp_verify_nonce(nonce: unknown, action: string): 1 | 2 | false;
  /** Hidden `_wpnonce` (and `_wp_http_referer`) fields, like wp_nonce_field(). */
  wp_nonce_field(action: string, name?: string): SafeHtml;
  /** Throws a 403 "The link you followed has expired." unless the request carries a valid nonce. */
  check_admin_referer(action: string, queryArg?: string): 1 | 2;
  /** A notice shown on the next page this user views (after a redirect). */
  add_notice(type: NoticeType, message: string, link?: Notice['link']): void;
  /** Renders an EJS view (absolute path) inside the admin shell. */
  render(view: string, data: Record<string, unknown>, opts: RenderOptions): Promise<void>;
  /** Renders ready HTML inside the admin shell. */
  renderHtml(body: SafeHtml, opts: RenderOptions): Promise<void>;
  redirect(url: string): void;
  network_admin_url(path?: string): string;
  /** Adds a script (deferred) or stylesheet to this page, like wp_enqueue_script/style. */
  enqueue_script(src: string): void;
  enqueue_style(href: string): void;
  readonly scripts: string[];
  readonly styles: string[];
  /** URL of a plugin page: admin.php?page=<slug>&… */
  admin_page_url(slug: string, params?: Record<string, string | number>): string;
}

export interface ContextDeps {
  nonceCreate(action: string, userId: number, token: string): string;
  nonceVerify(nonce: unknown, action: string, userId: number, token: string): 1 | 2 | false;
  userCan(userId: number, capability: string): boolean;
  renderView(view: string, data: Record<string, unknown>): Promise<string>;
  renderShell(ctx: PageContext, body: SafeHtml, opts: RenderOptions): Promise<void>;
}

export const NETWORK_ADMIN = '/wp-admin/network/';

export function networkAdminUrl(path = ''): string {
  return NETWORK_ADMIN + path.replace(/^\/+/, '');
}

export function adminPageUrl(slug: string, params: Record<string, string | number> = {}): string {
  const qs = new URLSearchParams({ page: slug });
  for (const [k, v] of Object.entries(params)) qs.set(k, String(v));
  return `${NETWORK_ADMIN}admin.php?${qs.toString()}`;
}

export function createPageContext(req: Request, res: Response, user: User, hookName: string, deps: ContextDeps): PageContext {
  const token = req.session.token ?? '';
  const ctx: PageContext = {
    req,
    res,
    user,
    hookName,
    current_user_can: (cap) => deps.userCan(user.id, cap),
    wp_create_nonce: (action) => deps.nonceCreate(action, user.id, token),
    wp_verify_nonce: (nonce, action) => deps.nonceVerify(nonce, action, user.id, token),
    wp_nonce_field: (action, name = '_wpnonce') =>
      html`<input type="hidden" name="${name}" value="${deps.nonceCreate(action, user.id, token)}"><input type="hidden" name="_wp_http_referer" value="${req.originalUrl}">`,
    check_admin_referer(action, queryArg = '_wpnonce') {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const query = req.query as Record<string, unknown>;
      const nonce = body[queryArg] ?? query[queryArg];
      const result = deps.nonceVerify(nonce, action, user.id, token);
      if (result === false) {
        // WordPress's wp_nonce_ays(): "Please try again." back to the screen the form came from
        // (the form's own _wp_http_referer field), not a dead end.
        const error = new HttpError(403, EXPIRED_LINK, 'Something went wrong.');
        const from = body._wp_http_referer;
        const back = typeof from === 'string' && /^\/wp-admin\/network\//.test(from) ? from : '/wp-admin/network/';
        error.back = { url: back, label: 'Please try again.' };
        throw error;
      }
      return result;
    },
    add_notice(type, message, link) {
      assertNoticeType(type);
      req.session.notices = [...(req.session.notices ?? []), { type, message, link }];
    },
    render: async (view, data, opts) => deps.renderShell(ctx, raw(await deps.renderView(view, { ...data, ctx })), opts),
    renderHtml: (body, opts) => deps.renderShell(ctx, body, opts),
    redirect: (url) => res.redirect(303, url),
    network_admin_url: networkAdminUrl,
    admin_page_url: adminPageUrl,
    scripts: [],
    styles: [],
    enqueue_script(src) {
      if (!ctx.scripts.includes(src)) ctx.scripts.push(src);
    },
    enqueue_style(href) {
      if (!ctx.styles.includes(href)) ctx.styles.push(href);
    },
  };
  return ctx;
}
