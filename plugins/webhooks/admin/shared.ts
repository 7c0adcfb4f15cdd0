import type { PageContext, PluginApi } from '../../../core/plugin-sdk.js';
import type { WebhooksAdminApi } from './admin-api.js';
import { MAX_ID } from '../model/webhook.js';

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

/** The latest time, in ms since the epoch, a Date can hold (ECMA-262 §21.4.1.1): 8.64e15. */
export const MAX_TIME_MS = 8_640_000_000_000_000;

/**
 * A positive integer query argument, or undefined when it is absent, not a number or out of
 * range (above `max`, by default MAX_ID: an id or page PostgreSQL's `integer` can hold; pass
 * MAX_TIME_MS for a ms timestamp) — read as absent, never handed to the store (where a value
 * past the column's range is a 500) nor to `new Date` (RangeError: Invalid time value).
 */
export function queryInt(ctx: PageContext, key: string, max: number = MAX_ID): number | undefined {
  const v = (ctx.req.query as Record<string, unknown>)[key];
  const n = typeof v === 'string' ? Number.parseInt(v, 10) : NaN;
  return Number.isSafeInteger(n) && n > 0 && n <= max ? n : undefined;
}

export function queryString(ctx: PageContext, key: string): string {
  const v = (ctx.req.query as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : '';
}
