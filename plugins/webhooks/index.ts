import type { PluginApi, PluginManifest } from '../../core/plugin-sdk.js';
import { webhookMigrations } from './data/migrations.js';
import { collectEventTypes } from './events/catalogue.js';
import type { WebhooksApi } from './api.js';
import { adminApi, engineOf, publicApi } from './facades.js';
import { readDeps, WebhooksService } from './service.js';
import { resolveSettings } from './settings.js';
import { registerAdminScreens } from './admin/register.js';
import { registerInspectorRoutes } from './inspector-routes.js';
import { registerRestRoutes } from './rest/routes.js';
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

/**
 * Wires the parts: the engine (stores, outbox, worker, dispatch, transport — service.ts), the
 * public API it provides to other plugins, the event types it collects, the admin screens
 * (their own internal object), the inspector's inboxes and the REST routes.
 */
export async function load(api: PluginApi): Promise<void> {
  // Kysely-form migrations (SQLite and PostgreSQL), recorded under plugin:webhooks.
  await api.migrate(webhookMigrations);
  const settings = resolveSettings(api.settings, api.config.env);
  const service = new WebhooksService(api, settings, readDeps(api.settings.deps));
  const provided = publicApi(service);
  api.services.provide(SERVICE, provided);
  collectEventTypes(api, service.events);
  registerAdminScreens(api, adminApi(service, provided));
  registerInspectorRoutes(api, service.inspector);
  registerRestRoutes(
    api,
    provided,
    (url) => probeDestination(url, service.destinations),
    (input, partial) => service.webhookProblems(input, partial),
    service.asyncApi(),
  );
  if (settings.autoStart) service.start();
  api.hooks.add_action('shutdown', () => service.close());
}

export async function deactivate(api: PluginApi): Promise<void> {
  await engineOf(api.services.get<WebhooksApi>(SERVICE))?.close();
}

export { engineOf } from './facades.js';
export type { WebhooksService, WebhooksDeps } from './service.js';
export type * from './api.js';
