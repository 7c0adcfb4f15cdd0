import path from 'node:path';
import type { Host } from '../host.js';
import type { Kysely } from 'kysely';
import { migratePlugin, unmigratePlugin, type AnyPluginMigration } from './plugin-migrations.js';
import { currentTransactionScope, scopedTransactions } from '../db/transaction-scope.js';
import type { CoreTables } from '../db/tables.js';
import { HOOKPRESS_VERSION } from '../version.js';
import { adminPageUrl, networkAdminUrl } from '../admin/page-context.js';
import { HookLedger, trackedHooks } from './tracked-hooks.js';
import { menuIconGlyph } from '../admin/icons.js';
import { SettingsApi } from '../admin/settings-api.js';
import { pluginI18n } from '../i18n/i18n.js';
import { CallbackWrappers } from './containment.js';
import { esc, html, raw } from '../http/html.js';
import { OTHER_METHODS } from './public-routes.js';
import { bodyIds, bodyString, formField, renderPostConfirmation, returnUrl } from '../admin/form.js';
import { currentBulkAction, parseListQuery, renderListTable } from '../admin/list-table.js';
import { PluginError, type PluginApi, type PluginConfig, type PluginInfo, type PublicHandler } from './types.js';

/** Builds the API object one plugin receives, and the ledger of its hook registrations. */
export function createPluginApi(host: Host, plugin: PluginInfo): { api: PluginApi; ledger: HookLedger } {
  const ledger = new HookLedger();
  const { slug } = plugin;
  const logger = host.logger.child({ plugin: slug });
  const hooks = trackedHooks(host.hooks, ledger, () => host.adminMenu.phase(), new CallbackWrappers(host.guard, slug), { slug, map: host.callbackOwners });
  // Transactions scoped (core/db/transaction-scope.ts): synchronous code a transaction's callback
  // calls (a hook) can stage writes in it, before COMMIT, on any backend.
  const db = scopedTransactions(host.query.db as unknown as Kysely<any>, (error) => logger.error({ err: error }, 'an after-commit callback failed'));
  const sqlite = host.query.dialect === 'sqlite' ? host.db : undefined;
  const api: PluginApi = {
    slug,
    hostVersion: HOOKPRESS_VERSION,
    dir: plugin.dir,
    hooks,
    menus: {
      add_menu_page(pageTitle, menuTitle, capability, menuSlug, callback, icon, position) {
        if (icon !== undefined && !menuIconGlyph(icon, menuTitle).known) {
          logger.warn({ icon, menu: menuSlug }, `Unknown menu icon "${icon}": the menu shows the letter "${menuIconGlyph(icon, menuTitle).glyph}" instead. See MENU_ICONS in the SDK for the names drawn.`);
        }
        const hookName = host.menu.add_menu_page(slug, pageTitle, menuTitle, capability, menuSlug, undefined, icon, position);
        // As in WordPress, the page callback is an action on the page hook.
        if (callback) hooks.add_action(hookName, callback);
        return hookName;
      },
      add_submenu_page(parentSlug, pageTitle, menuTitle, capability, menuSlug, callback, position) {
        const hookName = host.menu.add_submenu_page(slug, parentSlug ?? '', pageTitle, menuTitle, capability, menuSlug, undefined, position);
        if (callback) hooks.add_action(hookName, callback);
        return hookName;
      },
    },
    options: {
      get_site_option: (name, def) => host.options.get_site_option(name, def),
      add_site_option: (name, value) => host.options.add_site_option(name, value),
      update_site_option: (name, value) => host.options.update_site_option(name, value),
      delete_site_option: (name) => host.options.delete_site_option(name),
      get_site_transient: (name) => sqliteOnly('api.options.get_site_transient', 'api.options.get_site_transient_async', () => host.transients.get_site_transient(name)),
      set_site_transient: (name, value, expiration) =>
        sqliteOnly('api.options.set_site_transient', 'api.options.set_site_transient_async', () => host.transients.set_site_transient(name, value, expiration)),
      delete_site_transient: (name) => sqliteOnly('api.options.delete_site_transient', 'api.options.delete_site_transient_async', () => host.transients.delete_site_transient(name)),
      get_site_transient_async: (name) => eitherBackend(() => host.transients.get_site_transient(name), () => host.transients.getAsync(name)),
      set_site_transient_async: (name, value, expiration) =>
        eitherBackend(() => host.transients.set_site_transient(name, value, expiration), () => host.transients.setAsync(name, value, expiration)),
      delete_site_transient_async: (name) => eitherBackend(() => host.transients.delete_site_transient(name), () => host.transients.deleteAsync(name)),
    },
    settingsApi: new SettingsApi(hooks, host.options),
    i18n: pluginI18n(host.translations, slug, plugin.dir),
    notices: {
      add_notice: (type, message, opts) => host.notices.add({ type, message, id: opts?.id, link: opts?.link }),
      dismiss_notice: (id) => host.notices.dismiss(id),
    },
    db,
    dialect: host.query.dialect,
    get sqlite() {
      if (!sqlite) throw new PluginError('PLUGIN_NO_SQLITE', `Plugin "${slug}" used api.sqlite, the synchronous SQLite handle, but this host runs on PostgreSQL: use api.db (Kysely).`);
      return sqlite;
    },
    transaction: (fn) => db.transaction().execute(fn),
    migrate: (migrations: readonly AnyPluginMigration[]) => migratePlugin(host.query, sqlite, `plugin:${slug}`, migrations),
    unmigrate: (migrations: readonly AnyPluginMigration[]) => unmigratePlugin(host.query, sqlite, `plugin:${slug}`, migrations),
    logger,
    config: pluginConfig(host, slug),
    settings: host.config.plugins[slug] ?? {},
    clock: host.config.clock,
    rest: {
      register_rest_route: (namespace, route, endpoints, opts) => host.rest.register_rest_route(namespace, route, endpoints, { ...opts, owner: slug }),
      openapi: (namespace) => host.rest.openapi(namespace),
      rename_error_code: (code, wire) => void host.rest.renames.set(code, wire),
    },
    urls: {
      network_admin_url: networkAdminUrl,
      admin_page_url: adminPageUrl,
      home_url: (p = '/') => host.baseUrl() + (p.startsWith('/') ? p : `/${p}`),
      asset_url: (p) => `/assets/plugins/${slug}/${p.replace(/^\/+/, '')}`,
    },
    users: {
      get: (id) => host.users.get(id),
      list: (q = {}) => sqliteOnly('api.users.list', 'api.users.listAsync', () => host.users.list(userQuery(q))),
      getAsync: (id) => eitherBackend(() => host.users.get(id), () => host.users.getAsync(id)),
      listAsync: (q = {}) => eitherBackend(() => host.users.list(userQuery(q)), () => host.users.listAsync(userQuery(q))),
      findAsync: (loginOrEmail) =>
        eitherBackend(() => host.users.byLogin(loginOrEmail) ?? (loginOrEmail.includes('@') ? host.users.byEmail(loginOrEmail) : undefined), () => host.users.find(loginOrEmail)),
      is_super_admin: (id) => host.users.is_super_admin(id),
      user_can: (id, cap) => host.users.user_can(id, cap),
      register_capability: (cap, description) => host.capabilities.register(cap, description, slug),
      add_cap: (id, cap) => host.capabilities.add_cap(id, cap),
      remove_cap: (id, cap) => host.capabilities.remove_cap(id, cap),
    },
    sites: {
      get: (id) => sqliteOnly('api.sites.get', 'api.sites.getAsync', () => host.sites.get(id)),
      list: (q = {}) => sqliteOnly('api.sites.list', 'api.sites.listAsync', () => host.sites.list(siteQuery(q))),
      create: (input) => sqliteOnly('api.sites.create', 'api.sites.createAsync', () => host.sites.create(input)),
      getAsync: (id) => eitherBackend(() => host.sites.get(id), () => host.sites.getAsync(id, openTransaction())),
      listAsync: (q = {}) => eitherBackend(() => host.sites.list(siteQuery(q)), () => host.sites.listAsync(siteQuery(q), openTransaction())),
      createAsync: (input) => eitherBackend(() => host.sites.create(input), () => host.sites.createAsync(input, openTransaction())),
    },
    cron: {
      wp_schedule_event: (t, r, h, a) => host.cron.wp_schedule_event(t, r, h, a),
      wp_schedule_single_event: (t, h, a) => host.cron.wp_schedule_single_event(t, h, a),
      wp_next_scheduled: (h, a) => host.cron.wp_next_scheduled(h, a),
      wp_unschedule_event: (t, h, a) => host.cron.wp_unschedule_event(t, h, a),
      wp_clear_scheduled_hook: (h, a) => host.cron.wp_clear_scheduled_hook(h, a),
      wp_get_schedules: () => host.cron.wp_get_schedules(),
    },
    view: (name) => path.join(plugin.dir, 'views', name),
    ui: { html, raw, esc, formField, bodyString, bodyIds, renderListTable, parseListQuery, currentBulkAction, returnUrl, renderPostConfirmation },
    services: {
      provide(name, service) {
        const existing = host.services.get(name);
        if (existing && existing.owner !== slug) {
          throw new PluginError('PLUGIN_SERVICE_TAKEN', `The service "${name}" is already provided by plugin "${existing.owner}".`);
        }
        host.services.set(name, { owner: slug, service });
      },
      get: <T>(name: string) => host.services.get(name)?.service as T | undefined,
    },
    routes: {
      get: (p, handler) => addRoute('GET', p, handler),
      post: (p, handler, opts) => addRoute('POST', p, handler, opts?.maxBodyBytes),
      otherMethods: (p, handler) => addRoute(OTHER_METHODS, p, handler),
    },
  };
  /**
   * Runs a synchronous call that has no per-process cache behind it: on SQLite as it always did;
   * on PostgreSQL it throws PluginError PLUGIN_SYNC_NEEDS_SQLITE naming the asynchronous call.
   */
  function sqliteOnly<T>(call: string, asyncCall: string, run: () => T): T {
    if (!sqlite) throw new PluginError('PLUGIN_SYNC_NEEDS_SQLITE', `Plugin "${slug}" called ${call}, which is synchronous and needs SQLite, but this host runs on PostgreSQL: use ${asyncCall}.`);
    return run();
  }
  /**
   * An asynchronous core call a plugin may make anywhere, inside its own `api.db` transaction
   * too. On SQLite it runs the synchronous call (the same data, on the one connection): the
   * asynchronous one would queue behind the transaction holding that connection and never run,
   * while the synchronous one joins it (its writes commit or roll back with the plugin's). On
   * PostgreSQL the asynchronous call runs on a pooled connection of its own.
   */
  function eitherBackend<T>(onSqlite: () => T, onPostgres: () => Promise<T>): Promise<T> {
    if (!sqlite) return onPostgres();
    try {
      return Promise.resolve(onSqlite());
    } catch (error) {
      return Promise.reject(error);
    }
  }
  /**
   * PostgreSQL: the `api.db` transaction the calling code runs in (any plugin's: one database),
   * for the core calls that join it as the synchronous ones do on SQLite — their writes commit or
   * roll back with the plugin's, and their reads see its writes. Undefined outside one.
   */
  function openTransaction(): Kysely<CoreTables> | undefined {
    return currentTransactionScope()?.trx as Kysely<CoreTables> | undefined;
  }
  function addRoute(method: string, routePath: string, handler: PublicHandler, maxBodyBytes?: number): void {
    if (!/^\/[a-z0-9/_-]*$/i.test(routePath) || routePath.startsWith('/wp-')) {
      throw new PluginError('PLUGIN_BAD_ROUTE', `Plugin "${slug}" cannot add the route "${routePath}": use a plain path outside /wp-*.`);
    }
    const key = `${method} ${routePath}`;
    const taken = host.publicRoutes.get(key);
    if (taken && taken.owner !== slug) {
      throw new PluginError('PLUGIN_ROUTE_TAKEN', `Plugin "${slug}" cannot add the route ${key}: plugin "${taken.owner}" already registered it.`);
    }
    host.publicRoutes.set(key, { owner: slug, handler, maxBodyBytes });
  }
  return { api: Object.freeze(api), ledger };
}

type ListArgs = { search?: string; limit?: number; offset?: number };

/** A plugin's user query as the users store takes it: by login, 100 a page by default. */
function userQuery(q: ListArgs) {
  return { search: q.search, limit: q.limit ?? 100, offset: q.offset ?? 0, orderby: 'login', order: 'asc' } as const;
}

/** A plugin's site query as the sites store takes it: by id, 100 a page by default. */
function siteQuery(q: ListArgs) {
  return { search: q.search, limit: q.limit ?? 100, offset: q.offset ?? 0, orderby: 'id', order: 'asc' } as const;
}

/** The allowlisted configuration view of one plugin (see PluginConfig). */
function pluginConfig(host: Host, slug: string): PluginConfig {
  const prefix = `${slug.toUpperCase().replace(/-/g, '_')}_`;
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(host.config.env)) if (k.startsWith(prefix)) env[k] = v;
  return Object.freeze({ host: host.config.host, port: host.config.port, adminEmail: host.config.adminEmail, env: Object.freeze(env) });
}
