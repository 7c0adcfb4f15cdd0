import path from 'node:path';
import type { HookpressApp } from '../../core/app.js';
import { PROJECT_ROOT } from '../../core/config.js';
import type { WebhooksService } from '../../plugins/webhooks/service.js';
import { engineOf, type WebhooksApi, type WebhooksDeps } from '../../plugins/webhooks/index.js';
import { makeApp } from './app.js';

export const PLUGINS_DIR = path.join(PROJECT_ROOT, 'plugins');

import { FakeClock } from '../../core/testing/fake-clock.js';

export { FakeClock };

export interface WebhooksApp {
  hp: HookpressApp;
  service: WebhooksService;
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
  return { hp, service, clock };
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
