import type { PluginApi, PluginManifest } from '../../core/plugins/types.js';
import { webhookMigrations } from './data/migrations.js';
import { builtInEvents } from './events/catalogue.js';
import type { EventTypeDefinition } from './events/registry.js';
import { WebhooksService } from './service.js';
import { resolveSettings } from './settings.js';
import { registerAdminScreens } from './admin/register.js';
import { registerInspectorRoutes } from './inspector-routes.js';

export const manifest: PluginManifest = {
  name: 'Webhooks',
  description:
    'Send real-time data to other applications: every event on the network becomes a signed (Standard Webhooks), durable, retried HTTP payload for each webhook subscribed to it.',
  version: '1.0.0',
  author: 'Hookpress',
  networkActiveByDefault: true,
};

/** What `wu_register_all_events` callbacks receive. */
export interface EventRegistrar {
  wu_register_event_type(slug: string, def: EventTypeDefinition): void;
  register_event_type(slug: string, def: EventTypeDefinition): void;
}

const SERVICE = 'webhooks';

export function load(api: PluginApi): void {
  api.migrate(webhookMigrations);
  const settings = resolveSettings(api.settings, api.config.env);
  const service = new WebhooksService(api, settings, {
    lookup: api.settings.lookup as never,
    allowUrl: api.settings.allowUrl as never,
  });
  api.services.provide(SERVICE, service);

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

  if (settings.autoStart) {
    service.worker.start();
    service.startPruning();
  }
  api.hooks.add_action('shutdown', () => service.close());
}

export async function deactivate(api: PluginApi): Promise<void> {
  await api.services.get<WebhooksService>(SERVICE)?.close();
}

export type { WebhooksService } from './service.js';
