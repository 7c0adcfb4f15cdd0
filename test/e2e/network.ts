import { sql } from 'kysely';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { HookpressApp } from '../../core/app.js';
import type { MembershipsService } from '../../plugins/memberships/service.js';
import type { WebhooksAsyncApi } from '../../plugins/webhooks/api.js';
import type { WebhooksService } from '../../plugins/webhooks/service.js';
import { networkAdminUrl } from '../../core/admin/page-context.js';
import { ADMIN_PASSWORD, makeApp } from '../helpers/app.js';
import { Receiver } from '../helpers/receiver.js';
import { PLUGINS_DIR, webhooksApi, webhooksEngine } from '../helpers/webhooks.js';
import { sqlRows } from './storage.js';

const DAY = 86_400_000;

/** A running host with every plugin, a receiver on 127.0.0.1, and handles on the services. */
export interface Network {
  hp: HookpressApp;
  url: string;
  webhooks: WebhooksService;
  /** The webhooks API's promise twins: webhooks and deliveries on either backend. */
  hooks: WebhooksAsyncApi;
  mb: MembershipsService;
  receiver: Receiver;
  close(): Promise<void>;
}

/** Starts a host (every bundled plugin, loopback deliveries allowed) and a receiver. */
export async function startNetwork(): Promise<Network> {
  const receiver = new Receiver();
  await receiver.start();
  const hp = await makeApp({
    port: 0,
    pluginsDir: PLUGINS_DIR,
    pluginSlugs: ['webhooks', 'memberships', 'example-coupons'],
    plugins: { webhooks: { allowNetworks: '127.0.0.0/8', totalTimeoutMs: 3000 } },
  });
  const url = await hp.start();
  const webhooks = webhooksEngine(hp);
  const mb = hp.host.services.get('memberships')!.service as MembershipsService;
  return {
    hp,
    url,
    webhooks,
    hooks: webhooksApi(hp).async,
    mb,
    receiver,
    async close() {
      await hp.close();
      await receiver.close();
    },
  };
}

/** What seed() made, by list: ids in list order where a test needs them. */
export interface Seeded {
  webhooks: number[];
  users: number[];
  sites: number[];
  customers: number[];
  products: number[];
  memberships: number[];
  payments: number[];
}

/**
 * Fills every list of the network with `n` rows (n ≥ 3, so first, middle and last differ):
 * sites, users, webhooks with deliveries, products, customers (pending verification),
 * memberships, payments (pending renewals), domain mappings, an inspector inbox.
 */
export async function seed(net: Network, n = 3, tag = 's'): Promise<Seeded> {
  const { hp, webhooks, hooks, mb, receiver } = net;
  const out: Seeded = { webhooks: [], users: [], sites: [], customers: [], products: [], memberships: [], payments: [] };
  for (let i = 1; i <= n; i++) {
    const site = await hp.host.sites.createAsync({ slug: `${tag}-site-${i}`, title: `${tag} Site ${i}`, admin_email: `site${i}@example.com` });
    out.sites.push(site.id);
    const { user } = await hp.host.users.create({ login: `${tag}user${i}`, email: `${tag}user${i}@example.com`, display_name: `${tag} User ${i}`, password: 'password 123' });
    out.users.push(user.id);
    const w = await hooks.create_webhook({ name: `${tag} hook ${i}`, url: `${receiver.url}/${tag}-${i}`, event: 'payment_received', active: true });
    out.webhooks.push(w.id);
    const p = await mb.createProduct({ name: `${tag} Plan ${i}`, price_cents: 1000 * i, setup_fee_cents: 0, currency: 'USD', period: 'month' });
    out.products.push(p.id);
    const c = await mb.createCustomer({ user_id: user.id, billing_address: `${i} Main Street`, verify: true });
    out.customers.push(c.id);
    const m = await mb.createMembership({ customer_id: c.id, product_id: p.id, status: 'active', date_expiration: Date.now() + 30 * DAY });
    out.memberships.push(m.id);
    const pay = await mb.createPayment({ membership_id: m.id, subtotal_cents: 1000 * i, tax_cents: 0, status: 'pending', is_renewal: true });
    out.payments.push(pay.id);
    await mb.addDomain({ site_id: site.id, domain: `${tag}-shop${i}.example.com`, primary: i === 1, secure: true });
  }
  await webhooks.inspector.createInboxAsync(null);
  // One delivery per new webhook (for the delivery screens), sent now.
  for (const id of out.webhooks) await webhooks.send_test_event(id);
  return out;
}

/** A logged-in browser context with JavaScript on or off (CSP bypassed so axe can be injected). */
export async function logIn(browser: Browser, url: string, js: boolean): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ javaScriptEnabled: js, bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${url}/wp-login.php`);
  await page.getByLabel('Username or Email Address').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await page.waitForURL(`${url}/wp-admin/network/`);
  return { context, page };
}

/**
 * Every admin screen a user can reach: each menu and submenu entry (so a new screen is
 * included without anyone listing it), plus the sub-views reached from a list — edit screens,
 * delete confirmations, a delivery, an inspector inbox — for the seeded rows when given.
 */
export async function adminPages(net: Network, s?: Seeded): Promise<string[]> {
  const urls = new Set<string>();
  for (const item of net.hp.host.menu.entries()) {
    urls.add(networkAdminUrl(item.url));
    for (const sub of item.submenu) if (sub.menuTitle !== '') urls.add(networkAdminUrl(sub.url));
  }
  if (s) {
    const wh = s.webhooks[0]!;
    urls.add(`/wp-admin/network/admin.php?page=webhooks-edit&id=${wh}`);
    urls.add(`/wp-admin/network/admin.php?page=webhooks&action=confirm-delete&id=${wh}`);
    urls.add(`/wp-admin/network/sites.php?action=confirm-delete&id=${s.sites[0]}`);
    urls.add(`/wp-admin/network/users.php?action=confirm-delete&id=${s.users[0]}`);
    const d = (await net.hooks.list_deliveries({})).items[0];
    if (d) urls.add(`/wp-admin/network/admin.php?page=webhooks-deliveries&delivery=${d.id}`);
    const inbox = (await net.webhooks.inspector.store.inboxesAsync())[0];
    if (inbox) {
      urls.add(`/wp-admin/network/admin.php?page=webhooks-inspector&inbox=${inbox.token}`);
      urls.add(`/wp-admin/network/admin.php?page=webhooks-inspector&action=confirm-delete&token=${inbox.token}`);
    }
    const [active] = await sqlRows<{ id: number }>(net.hp, sql`SELECT id FROM mb_memberships WHERE status = 'active' ORDER BY id LIMIT 1`);
    if (active) urls.add(`/wp-admin/network/admin.php?page=memberships-memberships&confirm=cancel&row_id=${active.id}`);
  }
  return [...urls];
}
