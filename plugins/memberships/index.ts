import type { EventRegistrar, PluginApi, PluginManifest } from '../../core/plugin-sdk.js';
import { registerMembershipScreens } from './admin/screens.js';
import { membershipMigrations } from './data/migrations.js';
import { registerPublicPages } from './public-pages.js';
import { registerDependents } from './dependents.js';
import { MembershipsService } from './service.js';
import type { MembershipTables } from './data/store.js';
import { eventBuilders } from './payloads.js';
import { registerMembershipEvents } from './events/catalogue.js';

export const manifest: PluginManifest = {
  name: 'Memberships',
  description:
    'Products, customers, memberships, payments and domain mappings — the business behind the webhooks catalogue. Every change fires its event; renewals and expirations run daily.',
  version: '1.0.0',
  author: 'Hookpress',
  networkActiveByDefault: true,
};

export const RENEWALS_HOOK = 'memberships_create_renewal_payments';
export const EXPIRATIONS_HOOK = 'memberships_expire_memberships';

export async function load(api: PluginApi<MembershipTables>): Promise<void> {
  await api.migrate(membershipMigrations);
  const svc = new MembershipsService(api);
  api.services.provide('memberships', svc);
  registerMembershipScreens(api, svc);
  registerPublicPages(api, svc);
  registerDependents(api, svc);

  // Our event types, for the webhooks plugin (or any plugin) that collects them: each bound to
  // its plain action memberships_<slug>, which the service fires inside the change's transaction.
  const builders = eventBuilders(svc.payloads);
  api.hooks.add_action('wu_register_all_events', (events: EventRegistrar) => registerMembershipEvents(events, builders));

  // Time passing fires events too: daily jobs on the host's scheduler (WP-Cron, which awaits them).
  api.hooks.add_action(RENEWALS_HOOK, async () => void (await svc.runRenewals()));
  api.hooks.add_action(EXPIRATIONS_HOOK, async () => void (await svc.runExpirations()));
  const now = Math.floor(api.clock() / 1000);
  if (api.cron.wp_next_scheduled(RENEWALS_HOOK) === false) api.cron.wp_schedule_event(now, 'daily', RENEWALS_HOOK);
  if (api.cron.wp_next_scheduled(EXPIRATIONS_HOOK) === false) api.cron.wp_schedule_event(now, 'daily', EXPIRATIONS_HOOK);
}

export async function deactivate(api: PluginApi): Promise<void> {
  // Both schedules or neither: a storage fault halfway leaves the plugin as it was (the cron
  // calls write synchronously on the same connection, inside the transaction's own context).
  await api.transaction(async () => {
    api.cron.wp_clear_scheduled_hook(RENEWALS_HOOK);
    api.cron.wp_clear_scheduled_hook(EXPIRATIONS_HOOK);
  });
}

export type { MembershipsService, MembershipActionArgs } from './service.js';
export type * from './events/payload-keys.js';
