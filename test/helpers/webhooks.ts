import path from 'node:path';
import type { HookpressApp } from '../../core/app.js';
import { PROJECT_ROOT } from '../../core/config.js';
import type { WebhooksService } from '../../plugins/webhooks/service.js';
import { makeApp } from './app.js';

export const PLUGINS_DIR = path.join(PROJECT_ROOT, 'plugins');

/** A controllable clock starting at the real time (signatures are checked against it). */
export class FakeClock {
  now = Date.now();
  readonly fn = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

export interface WebhooksApp {
  hp: HookpressApp;
  service: WebhooksService;
  clock: FakeClock;
}

/** A host with the real webhooks plugin, a fake clock, loopback allowed and the worker driven by hand. */
export async function makeWebhooksApp(settings: Record<string, unknown> = {}, extra: Parameters<typeof makeApp>[0] = {}): Promise<WebhooksApp> {
  const clock = new FakeClock();
  const hp = await makeApp({
    pluginsDir: PLUGINS_DIR,
    pluginSlugs: ['webhooks'],
    clock: clock.fn,
    plugins: {
      webhooks: {
        autoStart: false,
        allowNetworks: '127.0.0.0/8,::1/128',
        random: () => 0.5,
        totalTimeoutMs: 2_000,
        connectTimeoutMs: 1_000,
        ...settings,
      },
    },
    ...extra,
  });
  const service = hp.host.services.get('webhooks')?.service as WebhooksService;
  if (!service) throw new Error('the webhooks plugin did not load');
  return { hp, service, clock };
}
