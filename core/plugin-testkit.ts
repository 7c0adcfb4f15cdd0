/**
 * The Hookpress test kit for plugin authors: a host with your plugins active, a logged-in
 * admin with nonce helpers, a local webhook receiver, a fake clock and "deliver now".
 *
 *     import { createTestHost } from '../../../core/plugin-testkit.js';
 *     const host = await createTestHost({ plugins: ['webhooks', 'my-plugin'] });
 *     const admin = await host.login();
 *     const res = await admin.submit(host.pageUrl('my-plugin'), { code: 'X1' });
 *     await host.deliverNow();
 *     const rows = await host.db<MyTables>().selectFrom('my_items').selectAll().execute();
 *     await host.close();
 *
 * Put a plugin's tests in `test/plugins/<slug>/*.test.ts` and run them alone with
 * `npm test -- plugins/<slug>`. See docs/plugin-authoring.md, "Testing your plugin".
 */
import path from 'node:path';
import { createApp, type HookpressApp } from './app.js';
import { PROJECT_ROOT, type AppConfig } from './config.js';
import type { Kysely } from 'kysely';
import type { PluginApi } from './plugins/types.js';
import type { WebhooksApi } from './plugin-sdk.js';
import { adminPageUrl } from './admin/page-context.js';
import { ADMIN_PASSWORD, adminAgent, loginAgent, type AdminAgent } from './testing/admin-agent.js';
import { FakeClock } from './testing/fake-clock.js';
import { offlineLookup, withOfflineDns } from './testing/offline-lookup.js';
import { Receiver } from './testing/receiver.js';

export { FakeClock, Receiver, ADMIN_PASSWORD, adminAgent, loginAgent, offlineLookup };
export { nonceIn, nonceNear, type AdminAgent, type Agent } from './testing/admin-agent.js';
export type { Received, Reply } from './testing/receiver.js';
export type { HookpressApp };

export interface TestHostOptions {
  /** The plugins to load and make active, e.g. ['webhooks', 'my-plugin'] (activated if inactive by default). */
  plugins: string[];
  /** Where the plugins live; default the project's plugins/ folder. */
  pluginsDir?: string;
  /** Settings per plugin slug (what `api.settings` returns). The webhooks plugin gets test defaults (see below). */
  settings?: Record<string, Record<string, unknown>>;
  /** Environment variables the plugins see through `api.config.env` (only their own prefix). */
  env?: Record<string, string>;
  /** Where the fake clock starts (ms since the epoch, or a Date); default now. */
  start?: number | Date;
  /** Anything else of the host's configuration. */
  config?: Partial<AppConfig>;
}

export interface TestHost {
  /** The host: `hp.app` for supertest, `hp.hooks` for the hooks registry. */
  readonly hp: HookpressApp;
  /** The host's clock; `clock.advance(ms)` moves time (cron, retries, expiry). */
  readonly clock: FakeClock;
  /**
   * The host's query builder — what plugins get as `api.db` (Kysely) — typed with your tables,
   * for assertions: `await host.db<MyTables>().selectFrom('my_items').selectAll().execute()`.
   */
  db<DB = any>(): Kysely<DB>;
  /** The `api` object a loaded plugin received (throws if it is not loaded). */
  api(slug: string): PluginApi;
  /** A service a plugin provided (`api.services.provide`), e.g. service<WebhooksApi>('webhooks'); throws if absent. */
  service<T>(name: string): T;
  /** A logged-in super admin (login "admin"), or another user with their password. */
  login(login?: string, password?: string): Promise<AdminAgent>;
  /** URL of a plugin admin page: /wp-admin/network/admin.php?page=<slug>&… */
  pageUrl(slug: string, params?: Record<string, string | number>): string;
  /** A webhook receiver on 127.0.0.1 (random port), closed with the host. */
  receiver(): Promise<Receiver>;
  /** Delivers every due webhook message now (the worker does not run by itself in tests); resolves to the count. */
  deliverNow(): Promise<number>;
  /** Runs the scheduled (cron) events that are due at the fake clock's time; resolves to the count. */
  runCron(): Promise<number>;
  /** Closes the host and every receiver. */
  close(): Promise<void>;
}

/**
 * Test defaults of the webhooks plugin: no background worker, loopback receivers allowed, no retry jitter, short timeouts.
 * DNS is offline too (offlineLookup: only localhost resolves) unless `settings.webhooks.deps.lookup` is given.
 */
export const WEBHOOKS_TEST_SETTINGS: Readonly<Record<string, unknown>> = Object.freeze({
  autoStart: false,
  allowNetworks: '127.0.0.0/8,::1/128',
  random: () => 0.5,
  totalTimeoutMs: 2_000,
  connectTimeoutMs: 1_000,
});

/**
 * Builds a fresh, isolated host for one test: in-memory SQLite, silent logs, cheap password
 * hashing, no background scheduler, a fake clock, and `plugins` loaded and active.
 * Throws if a plugin is missing or fails to activate (with the plugin's error).
 */
export async function createTestHost(opts: TestHostOptions): Promise<TestHost> {
  const clock = new FakeClock(opts.start === undefined ? Date.now() : typeof opts.start === 'number' ? opts.start : opts.start.getTime());
  const settings: Record<string, Record<string, unknown>> = { ...opts.settings };
  if (opts.plugins.includes('webhooks')) settings.webhooks = { ...WEBHOOKS_TEST_SETTINGS, ...settings.webhooks };
  const hp = await createApp({
    dataDir: ':memory:',
    logLevel: 'silent',
    passwordCost: 1024,
    adminPassword: ADMIN_PASSWORD,
    pluginsDir: opts.pluginsDir ?? path.join(PROJECT_ROOT, 'plugins'),
    pluginSlugs: opts.plugins,
    runScheduler: false,
    clock: clock.fn,
    plugins: withOfflineDns(settings),
    env: opts.env ?? {},
    ...opts.config,
  });
  const receivers: Receiver[] = [];
  try {
    for (const slug of opts.plugins) {
      const listing = hp.plugins.list().find((p) => p.slug === slug);
      if (!listing) throw new Error(`There is no plugin "${slug}" in ${opts.pluginsDir ?? 'plugins/'}.`);
      if (listing.error) throw new Error(`The plugin "${slug}" could not be loaded: ${listing.error}`);
      if (!hp.plugins.isActive(slug)) await hp.plugins.activate(slug);
    }
  } catch (error) {
    await hp.close();
    throw error;
  }
  const host: TestHost = {
    hp,
    clock,
    db: <DB>() => hp.host.query.db as unknown as Kysely<DB>,
    api(slug) {
      const api = hp.plugins.apiOf(slug);
      if (!api) throw new Error(`The plugin "${slug}" is not loaded.`);
      return api;
    },
    service<T>(name: string): T {
      const s = hp.host.services.get(name);
      if (!s) throw new Error(`No plugin provides the service "${name}".`);
      return s.service as T;
    },
    async login(login, password) {
      return adminAgent(await loginAgent(hp, login, password));
    },
    pageUrl: adminPageUrl,
    async receiver() {
      const r = new Receiver();
      await r.start();
      receivers.push(r);
      return r;
    },
    async deliverNow() {
      const provided = hp.host.services.get('webhooks')?.service;
      if (!provided) throw new Error('deliverNow needs the webhooks plugin: add "webhooks" to plugins.');
      // The engine is the webhooks plugin's own; the kit reaches it only to drain its queue.
      const { engineOf } = await import('../plugins/webhooks/index.js');
      const engine = engineOf(provided as WebhooksApi);
      if (!engine) throw new Error('The webhooks service is not the plugin\'s API object.');
      return engine.worker.drain();
    },
    runCron: () => hp.host.cron.runDue(),
    async close() {
      await hp.close();
      await Promise.all(receivers.map((r) => r.close()));
    },
  };
  return host;
}
