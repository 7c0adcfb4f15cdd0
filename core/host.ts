import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import type { Db } from './db/database.js';
import type { Hooks } from './hooks/index.js';
import type { SiteOptions } from './options/site-options.js';
import type { Users } from './users/users.js';
import type { Sites } from './sites/sites.js';
import type { Nonces } from './nonces/nonces.js';
import type { AdminMenu } from './admin/menu.js';
import type { PersistentNotices } from './admin/notices.js';
import type { Cron } from './cron/cron.js';
import { HookLedger } from './plugins/tracked-hooks.js';
import type { CallbackGuard, PluginFailures } from './plugins/containment.js';

/** The host's services, built once per app by createApp(). */
export interface Host {
  config: AppConfig;
  hooks: Hooks;
  /** The synchronous SQLite handle (stores not yet on the query layer; plugins' `api.db`). */
  db: Db;
  /** The asynchronous query layer (Kysely; SQLite over the same connection as `db`, or PostgreSQL). */
  query: import('./db/query-layer.js').QueryLayer;
  logger: Logger;
  options: SiteOptions;
  users: Users;
  sites: Sites;
  nonces: Nonces;
  menu: AdminMenu;
  notices: PersistentNotices;
  adminMenu: MenuBuilder;
  cron: Cron;
  /** The REST server (/wp-json), the network API key and application passwords. */
  rest: import('./rest/server.js').RestServer;
  apiKey: import('./rest/api-key.js').NetworkApiKey;
  appPasswords: import('./rest/application-passwords.js').ApplicationPasswords;
  /** Services offered by plugins, by name, with their owner. */
  services: Map<string, { owner: string; service: unknown }>;
  /** Public routes added by plugins: "METHOD path" → handler and owner. */
  publicRoutes: Map<string, { owner: string; handler: import('./plugins/types.js').PublicHandler; maxBodyBytes?: number }>;
  /** Attributes plugin callbacks to their plugin and contains their errors during start-up and activation. */
  guard: CallbackGuard;
  /** Site transients (expiring network options). */
  transients: import('./options/site-transients.js').SiteTransients;
  /** Loaded translations (gettext) of every text domain. */
  translations: import('./i18n/i18n.js').Translations;
  /** Custom capabilities plugins declare, and their grants. */
  capabilities: import('./users/capabilities.js').CustomCapabilities;
  /** The plugin that added a hook callback (the function, or the object of a method pair). */
  callbackOwners: WeakMap<object, string>;
  /** Absolute base URL once the server listens (http://host:port). */
  baseUrl(): string;
}

/**
 * Builds the plugin part of the admin menu by firing `network_admin_menu` — once, and again
 * only after the set of active plugins changed. Registrations made by menu callbacks are
 * undone before a rebuild so they are never doubled.
 */
export class MenuBuilder {
  private dirty = true;
  private building: HookLedger | null = null;
  private readonly ledger = new HookLedger();
  /** Deactivates the plugins whose `network_admin_menu` callbacks threw (set by the plugin manager). */
  onPluginFailures: (failures: PluginFailures) => void = () => {};

  constructor(
    private readonly hooks: Hooks,
    private readonly menu: AdminMenu,
    private readonly guard: CallbackGuard,
  ) {}

  invalidate(): void {
    this.dirty = true;
  }

  /** The ledger recording registrations while the menu is being built, else null. */
  phase(): HookLedger | null {
    return this.building;
  }

  ensure(): void {
    // A plugin whose menu callback throws is deactivated and the menu built again without it.
    for (let round = 0; this.dirty && round < 10; round++) {
      this.ledger.undo(this.hooks);
      this.menu.clearOwnedBy((owner) => owner !== 'core');
      this.building = this.ledger;
      let failures: PluginFailures;
      try {
        failures = this.guard.contained(() => this.hooks.do_action('network_admin_menu', '')).failures;
      } finally {
        this.building = null;
      }
      this.dirty = false;
      if (failures.size) this.onPluginFailures(failures);
    }
  }
}
