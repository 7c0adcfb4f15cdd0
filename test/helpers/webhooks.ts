import path from 'node:path';
import type { HookpressApp } from '../../core/app.js';
import { PROJECT_ROOT } from '../../core/config.js';
import type { WebhooksService } from '../../plugins/webhooks/service.js';
import { engineOf, type WebhooksApi, type WebhooksDeps } from '../../plugins/webhooks/index.js';
import { makeApp } from './app.js';
import { apiKeyAuth } from './rest.js';

export const PLUGINS_DIR = path.join(PROJECT_ROOT, 'plugins');

import { FakeClock } from '../../core/testing/fake-clock.js';

export { FakeClock };

export interface WebhooksApp {
  hp: HookpressApp;
  service: WebhooksService;
  /** The provided WebhooksApi; its `async` twins run on both backends (what backend-agnostic tests call). */
  api: WebhooksApi;
  clock: FakeClock;
}

/**
 * A host with the real webhooks plugin, a fake clock, loopback allowed and the worker driven by
 * hand. `lookup` and `random` are test doubles: they go to the engine as typed dependencies.
 */
export async function makeWebhooksApp(settings: Record<string, unknown> & WebhooksDeps = {}, extra: Parameters<typeof makeApp>[0] = {}): Promise<WebhooksApp> {
  const clock = new FakeClock();
  const { lookup, random = () => 0.5, isAllowed, owner, ...rest } = settings;
  const deps: WebhooksDeps = { lookup, random, isAllowed, owner };
  const hp = await makeApp({
    pluginsDir: PLUGINS_DIR,
    pluginSlugs: ['webhooks', 'memberships'],
    clock: clock.fn,
    plugins: {
      webhooks: {
        autoStart: false,
        allowNetworks: '127.0.0.0/8,::1/128',
        totalTimeoutMs: 2_000,
        connectTimeoutMs: 1_000,
        ...rest,
        deps,
      },
    },
    ...extra,
  });
  const service = webhooksEngine(hp);
  return { hp, service, api: webhooksApi(hp), clock };
}

/** The public API the webhooks plugin provides to other plugins. */
export function webhooksApi(hp: HookpressApp): WebhooksApi {
  const api = hp.host.services.get('webhooks')?.service as WebhooksApi | undefined;
  if (!api) throw new Error('the webhooks plugin did not load');
  return api;
}

/** The engine behind it (worker, stores, inspector) — what this plugin's own tests drive. */
export function webhooksEngine(hp: HookpressApp): WebhooksService {
  const engine = engineOf(webhooksApi(hp));
  if (!engine) throw new Error('the webhooks service is not the plugin\'s API object');
  return engine;
}

/**
 * The network API key, enabled, as a Basic header — once the options' writes are in the database
 * (on PostgreSQL they land in the background, and the REST authenticator reads the database).
 */
export async function storedApiKeyAuth(hp: HookpressApp): Promise<string> {
  const auth = apiKeyAuth(hp);
  await hp.host.options.flush();
  return auth;
}

/** What `promise` rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string; field?: string; fields?: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/**
 * Fires an event as a plugin does inside its own `api.db` transaction: resolved once the event
 * and its deliveries are committed, on either backend (outside a transaction PostgreSQL writes
 * them in the next batch, in the background).
 */
export async function fireStored(w: WebhooksApp, slug: string, payload: Record<string, unknown>): Promise<string | false> {
  return w.hp.plugins.apiOf('webhooks')!.db.transaction().execute(async () => w.service.wu_do_event(slug, payload));
}

/** Resolves once `check` holds, checking after each turn of the event loop; fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * The persistent admin notice `find` picks, once stored: the engine adds notices synchronously on
 * SQLite and in the background on PostgreSQL (core/admin/notices.ts), so this reads until it is there.
 */
export async function storedNotice(hp: HookpressApp, find: (n: { id: string; message: string }) => boolean): Promise<Awaited<ReturnType<HookpressApp['host']['notices']['listAsync']>>[number]> {
  let found: Awaited<ReturnType<HookpressApp['host']['notices']['listAsync']>>[number] | undefined;
  await eventually(async () => (found = (await hp.host.notices.listAsync()).find(find)) !== undefined, 'the notice stored');
  return found!;
}
