import type { PluginApi, PluginManifest } from '../../core/plugin-sdk.js';
import { webhookMigrations } from './data/migrations.js';
import { builtInEvents } from './events/catalogue.js';
import type { EventRegistrar, WebhooksApi } from './api.js';
import { readDeps, WebhooksService } from './service.js';
import { resolveSettings } from './settings.js';
import { registerAdminScreens } from './admin/register.js';
import { registerInspectorRoutes } from './inspector-routes.js';
import { registerRestRoutes, REST_CODE_RENAMES } from './rest/routes.js';
import { probeDestination } from './delivery/destination-probe.js';

export const manifest: PluginManifest = {
  name: 'Webhooks',
  description:
    'Send real-time data to other applications: every event on the network becomes a signed (Standard Webhooks), durable, retried HTTP payload for each webhook subscribed to it.',
  version: '1.0.0',
  author: 'Hookpress',
  networkActiveByDefault: true,
};

const SERVICE = 'webhooks';

/** The engine behind each provided API object (for this plugin's own tests and tools only). */
const engines = new WeakMap<WebhooksApi, WebhooksService>();

/**
 * The narrow API other plugins get: exactly the WebhooksApi methods, bound, frozen — no
 * stores, worker or transport reachable through it.
 */
function publicApi(service: WebhooksService): WebhooksApi {
  const api: WebhooksApi = {
    wu_register_event_type: (slug, def) => service.wu_register_event_type(slug, def, def?.source ?? 'unknown'),
    wu_get_event_types: () => service.wu_get_event_types(),
    wu_get_event_type: (slug) => service.wu_get_event_type(slug),
    wu_do_event: (slug, payload) => service.wu_do_event(slug, payload),
    create_webhook: (input) => service.create_webhook(input),
    get_webhook: (id) => service.get_webhook(id),
    update_webhook: (id, patch) => service.update_webhook(id, patch),
    delete_webhook: (id) => service.delete_webhook(id),
    list_webhooks: (q) => service.list_webhooks(q),
    rotate_secret: (id, secret) => service.rotate_secret(id, secret),
    list_deliveries: (q) => service.list_deliveries(q),
    get_delivery: (id) => service.get_delivery(id),
    resend_delivery: (id) => service.resend_delivery(id),
    recover_failed_deliveries: (webhookId, since) => service.recover_failed_deliveries(webhookId, since),
    send_test_event: (target) => service.send_test_event(target),
  };
  Object.freeze(api);
  engines.set(api, service);
  return api;
}

/** The engine behind a provided WebhooksApi — for this plugin's tests, benches and tools, never for other plugins. */
export function engineOf(api: WebhooksApi | undefined): WebhooksService | undefined {
  return api ? engines.get(api) : undefined;
}

export function load(api: PluginApi): void {
  api.migrate(webhookMigrations);
  const settings = resolveSettings(api.settings, api.config.env);
  const service = new WebhooksService(api, settings, readDeps(api.settings.deps));
  const provided = publicApi(service);
  api.services.provide(SERVICE, provided);

  // Event types are (re)collected once every plugin is loaded, and whenever plugins change.
  const registerAllEvents = (): void => {
    service.events.clear();
    for (const [slug, def] of builtInEvents(api)) service.events.register(slug, def, 'webhooks');
    const registrar: EventRegistrar = {
      wu_register_event_type: (slug, def) => void service.events.register(slug, def, def.source ?? 'unknown'),
      register_event_type: (slug, def) => void service.events.register(slug, def, def.source ?? 'unknown'),
    };
    api.hooks.do_action('wu_register_all_events', registrar);
  };
  // At start `init` fires once every plugin is loaded; a later activation of this plugin (or
  // any other) fires activated_plugin.
  api.hooks.add_action('init', registerAllEvents);
  api.hooks.add_action('activated_plugin', registerAllEvents);
  api.hooks.add_action('deactivated_plugin', registerAllEvents);

  registerAdminScreens(api, service);
  registerInspectorRoutes(api, service.inspector);
  registerRestRoutes(api, provided, (url) => probeDestination(url, service.destinations));
  for (const [code, wire] of Object.entries(REST_CODE_RENAMES)) api.rest.rename_error_code(code, wire);

  if (settings.autoStart) {
    service.worker.start();
    service.startPruning();
  }
  api.hooks.add_action('shutdown', () => service.close());
}

export async function deactivate(api: PluginApi): Promise<void> {
  await engineOf(api.services.get<WebhooksApi>(SERVICE))?.close();
}

export type { WebhooksService, WebhooksDeps } from './service.js';
export type * from './api.js';
