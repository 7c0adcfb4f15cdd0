import type { PageContext, PluginApi } from '../../../core/plugin-sdk.js';
import type { WebhooksAdminApi } from './admin-api.js';

export const CAPABILITY = 'manage_webhooks';

export const PAGES = {
  list: 'webhooks',
  add: 'webhooks-new',
  edit: 'webhooks-edit',
  events: 'webhooks-events',
  deliveries: 'webhooks-deliveries',
  inspector: 'webhooks-inspector',
} as const;

/** What every screen handler gets: the plugin's host API and the admin screens' own object. */
export interface ScreenDeps {
  api: PluginApi;
  admin: WebhooksAdminApi;
}

export function pageUrl(api: PluginApi, page: string, params: Record<string, string | number> = {}): string {
  return api.urls.admin_page_url(page, params);
}

/** The browser asked for JSON (progressive enhancement) rather than a page. */
export function wantsJson(ctx: PageContext): boolean {
  return /application\/json/.test(String(ctx.req.get('accept') ?? ''));
}

export function queryInt(ctx: PageContext, key: string): number | undefined {
  const v = (ctx.req.query as Record<string, unknown>)[key];
  const n = typeof v === 'string' ? Number.parseInt(v, 10) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export function queryString(ctx: PageContext, key: string): string {
  const v = (ctx.req.query as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : '';
}
