import type { JsonSchema, RestEndpoint } from '../rest/types.js';
import { HookpressError } from '../errors.js';
import type { CoreErrorCode } from '../error-codes.js';
import type { Logger } from 'pino';
import type { AppConfig, Clock } from '../config.js';
export type { AppConfig };
import type { Db } from '../db/database.js';
import type { Kysely, Transaction } from 'kysely';
import type { DialectName } from '../db/query-layer.js';
import type { AnyPluginMigration, PluginMigration } from './plugin-migrations.js';
import type { Migration } from '../db/migrations.js';
import type { Hooks } from '../hooks/index.js';
import type { PageCallback } from '../admin/menu.js';
import type { Notice, NoticeType } from '../admin/notices.js';
import type { User } from '../users/users-store.js';
import type { Site } from '../sites/sites.js';

/** What a plugin says about itself (shown on the Plugins screen). */
export interface PluginManifest {
  name: string;
  description: string;
  version: string;
  author: string;
  /** Activated on a fresh install. */
  networkActiveByDefault?: boolean;
}

/** The entry module of `plugins/<slug>/index.ts`. */
export interface PluginModule {
  manifest: PluginManifest;
  /** Runs every time the plugin is loaded (at start, or right after activation): add hooks here. */
  load?(api: PluginApi): void | Promise<void>;
  /** Runs once when an admin network-activates the plugin, before load. */
  activate?(api: PluginApi): void | Promise<void>;
  /** Runs when an admin network-deactivates it; its hooks and menus are removed afterwards. */
  deactivate?(api: PluginApi): void | Promise<void>;
  /**
   * Runs when an admin uninstalls the (inactive) plugin from the Plugins screen, like
   * WordPress's uninstall.php: remove what the plugin stored — `api.unmigrate(migrations)`
   * drops its tables, `api.options.delete_site_option(...)` its options. The folder stays.
   */
  uninstall?(api: PluginApi): void | Promise<void>;
}

/**
 * The public plugin API: everything a plugin may touch of the host. `DB` types `api.db`: the
 * plugin's tables (`interface MyTables { my_items: MyItemsTable }`); `any` by default.
 */
export interface PluginApi<DB = any> {
  readonly slug: string;
  /** The host's version (package.json). */
  readonly hostVersion: string;
  /** The plugin's folder (for its views and assets). */
  readonly dir: string;
  readonly hooks: Hooks;
  readonly menus: {
    add_menu_page(
      pageTitle: string,
      menuTitle: string,
      capability: string,
      menuSlug: string,
      callback?: PageCallback,
      icon?: string,
      position?: number,
    ): string;
    /**
     * parentSlug null registers a page that is routed but not in the menu; an empty menuTitle
     * keeps it out of the submenu while its parent stays highlighted (edit screens).
     */
    add_submenu_page(
      parentSlug: string | null,
      pageTitle: string,
      menuTitle: string,
      capability: string,
      menuSlug: string,
      callback?: PageCallback,
      position?: number,
    ): string;
  };
  /**
   * Network options (JSON values) with WordPress's option hooks, and site transients.
   * Options are synchronous on both databases (a per-process cache). Site transients are read
   * and written in the database: the synchronous `*_site_transient` calls work on SQLite and
   * throw PluginError `PLUGIN_SYNC_NEEDS_SQLITE` on PostgreSQL; the `*_async` ones (same hooks)
   * work on both.
   */
  readonly options: {
    get_site_option<T = unknown>(name: string, defaultValue?: unknown): T;
    add_site_option(name: string, value: unknown): boolean;
    update_site_option(name: string, value: unknown): boolean;
    delete_site_option(name: string): boolean;
    /** A transient's value, or false when missing or expired (then deleted). */
    get_site_transient<T = unknown>(name: string): T | false;
    /** Stores a value for `expiration` seconds (0 = until deleted); false for a name over 167 characters. */
    set_site_transient(name: string, value: unknown, expiration?: number): boolean;
    delete_site_transient(name: string): boolean;
    /** `get_site_transient` on either database: the value, or false when missing or expired (then deleted). */
    get_site_transient_async<T = unknown>(name: string): Promise<T | false>;
    /** `set_site_transient` on either database. @throws OptionError OPTION_INVALID for a value JSON cannot hold */
    set_site_transient_async(name: string, value: unknown, expiration?: number): Promise<boolean>;
    /** `delete_site_transient` on either database: true when it existed. */
    delete_site_transient_async(name: string): Promise<boolean>;
  };
  /** WordPress's Settings API for network options (register_setting, sections, fields, the save). */
  readonly settingsApi: Pick<
    import('../admin/settings-api.js').SettingsApi,
    'register_setting' | 'add_settings_section' | 'add_settings_field' | 'settings_fields' | 'do_settings_sections' | 'add_settings_error' | 'handle_settings_post'
  >;
  /** Translations: __(), _e(), _x(), _n(), esc_html__(), sprintf; the text domain defaults to the slug. */
  readonly i18n: import('../i18n/i18n.js').PluginI18n;
  /** Network notices that stay until an admin dismisses them. */
  readonly notices: {
    add_notice(type: NoticeType, message: string, opts?: { id?: string; link?: Notice['link'] }): string;
    dismiss_notice(id: string): boolean;
  };
  /**
   * The host's asynchronous query builder (Kysely), for the plugin's own tables, on SQLite or
   * PostgreSQL alike. Type it with your tables: `PluginApi<MyTables>` (or `api.db as
   * Kysely<MyTables>`). Keep the queries in a data-layer module that takes an executor (`db`
   * or a transaction). Transactions: `api.db.transaction().execute(async (trx) => …)`.
   */
  readonly db: Kysely<DB>;
  /** Which database `db` speaks: 'sqlite' or 'postgres' (branch only where SQL differs). */
  readonly dialect: DialectName;
  /**
   * @deprecated SQLite only, for plugins not yet ported to `api.db`: the host's synchronous
   * better-sqlite3 handle (`prepare(sql).run/get/all`). Throws PluginError `PLUGIN_NO_SQLITE`
   * on a host running on PostgreSQL. Its writes made inside an `api.db` transaction's callback
   * join that transaction; from elsewhere while one is open they fail with SQLITE_BUSY.
   */
  readonly sqlite: Db;
  /**
   * Runs `fn` in a database transaction: `api.db.transaction().execute(fn)`. Everything written
   * through `trx` — and every webhook event fired (`do_action`) while it runs — commits
   * together when `fn` resolves, or nothing does when it throws (the error is rethrown).
   * Resolves to `fn`'s result. Pass `trx` on to nested work: a transaction inside a
   * transaction is refused by Kysely. Don't await anything but queries inside `fn` (no timers,
   * no fetches): on SQLite the connection is held until it ends.
   */
  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /**
   * Applies the plugin's migrations not yet applied (recorded under its slug, as core's are),
   * each in its own transaction; idempotent. Resolves to the versions applied. Write them with
   * Kysely's schema builder (`PluginMigration`: `async up(db)`); a synchronous raw-SQL `up(db)`
   * (the older `Migration` form) still runs on SQLite, deprecated.
   * @throws MigrationError MIGRATION_FAILED naming the migration that failed (rolled back).
   */
  migrate(migrations: readonly PluginMigration[]): Promise<number[]>;
  /** @deprecated The raw-SQL form (`up(db: Db)`, SQLite only): rewrite with Kysely's schema builder. */
  migrate(migrations: readonly Migration[]): Promise<number[]>;
  migrate(migrations: readonly AnyPluginMigration[]): Promise<number[]>;
  /**
   * Undoes the plugin's applied migrations newest first with their `down` (for `uninstall`).
   * Throws MigrationError `MIGRATION_NO_DOWN` (before running any) when one lacks a `down`.
   */
  unmigrate(migrations: readonly PluginMigration[]): Promise<number[]>;
  unmigrate(migrations: readonly Migration[]): Promise<number[]>;
  unmigrate(migrations: readonly AnyPluginMigration[]): Promise<number[]>;
  readonly logger: Logger;
  /** What a plugin may know of the host's configuration (an allowlisted view). */
  readonly config: PluginConfig;
  /** This plugin's settings: config.plugins[slug] given to createApp (tests pass options here). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** The host's clock: `api.clock()` is the current time in milliseconds since the epoch (tests inject a fake one). */
  readonly clock: Clock;
  /** The REST API (core/rest): WordPress's `register_rest_route`, under /wp-json/. */
  readonly rest: {
    register_rest_route(namespace: string, route: string, endpoints: RestEndpoint | RestEndpoint[], opts?: { schema?: () => JsonSchema }): void;
    /** The OpenAPI 3.1 document of a namespace, built from its route declarations. */
    openapi(namespace: string): JsonSchema;
    /** Shows an error code under another name on the wire (e.g. WEBHOOK_NOT_FOUND → wu_rest_webhook_invalid_id). */
    rename_error_code(code: string, wireCode: string): void;
  };
  readonly urls: {
    network_admin_url(path?: string): string;
    admin_page_url(slug: string, params?: Record<string, string | number>): string;
    /** Absolute URL of the host (e.g. http://127.0.0.1:8080/path), once it listens. */
    home_url(path?: string): string;
    /** URL of a file in the plugin's public/ folder. */
    asset_url(path: string): string;
  };
  /**
   * Network users. The `…Async` calls read the database on either backend; prefer them. The
   * synchronous `get`, `is_super_admin` and `user_can` work on both: on PostgreSQL they answer
   * from the users this process has read (the logged-in user is read on every request, and
   * every user an `…Async` call returned), so a user only another process has read is unknown
   * to them. `list` is SQLite only (PluginError `PLUGIN_SYNC_NEEDS_SQLITE` on PostgreSQL).
   * The `…Async` calls of `users`, `sites` and `options` may be awaited inside an `api.db`
   * transaction's callback on both backends (on SQLite they read in that transaction; on
   * PostgreSQL on a connection of their own, so they see committed rows only).
   */
  readonly users: {
    get(id: number): User | undefined;
    /** One page of users ordered by login (100 by default), and how many match. SQLite only: see `listAsync`. */
    list(q?: { search?: string; limit?: number; offset?: number }): { items: User[]; total: number };
    /** The user with this id read from the database (on either backend), or undefined. */
    getAsync(id: number): Promise<User | undefined>;
    /** `list` on either backend: one page ordered by login (100 by default) and the total matching `search`. */
    listAsync(q?: { search?: string; limit?: number; offset?: number }): Promise<{ items: User[]; total: number }>;
    /** The user with this login, or else this email address (both without regard to case), or undefined. */
    findAsync(loginOrEmail: string): Promise<User | undefined>;
    is_super_admin(id: number): boolean;
    user_can(id: number, capability: string): boolean;
    /**
     * Declares a custom capability (3–64 of a-z, 0-9, _) for menus and checks: super admins
     * have it; grant it to other users with add_cap. Removed when the plugin is deactivated
     * (grants stay stored). Throws PluginError PLUGIN_BAD_CAPABILITY for a bad or taken name.
     */
    register_capability(capability: string, description: string): void;
    /** Grants a declared capability to a user (WP_User::add_cap). */
    add_cap(userId: number, capability: string): void;
    remove_cap(userId: number, capability: string): void;
  };
  /**
   * The network's sites. The synchronous `get`, `list` and `create` are SQLite only (PluginError
   * `PLUGIN_SYNC_NEEDS_SQLITE` on PostgreSQL); the `…Async` ones work on both.
   */
  readonly sites: {
    get(id: number): Site | undefined;
    list(q?: { search?: string; limit?: number; offset?: number }): { items: Site[]; total: number };
    /** Creates a network site (fires wp_initialize_site). @throws SiteError (a HookpressError: code SITE_*, `fieldMessages()` for every failing field) */
    create(input: { slug: string; title: string; admin_email: string }): Site;
    /** The site with this id, on either backend, or undefined (inside an `api.db` transaction: as that transaction sees it). */
    getAsync(id: number): Promise<Site | undefined>;
    /** One page of sites ordered by id (100 by default) and the total matching `search`, on either backend. */
    listAsync(q?: { search?: string; limit?: number; offset?: number }): Promise<{ items: Site[]; total: number }>;
    /**
     * `create` on either backend (same checks, fires wp_initialize_site). Inside an `api.db`
     * transaction's callback the site is written in that transaction, on both backends: it
     * commits or rolls back with the plugin's own writes and the events fired in it.
     * @throws SiteError (a HookpressError: code SITE_*, `fieldMessages()` for every failing field)
     */
    createAsync(input: { slug: string; title: string; admin_email: string }): Promise<Site>;
  };
  /** WordPress's cron API (unix-second timestamps), run by the host's scheduler. */
  readonly cron: Pick<
    import('../cron/cron.js').Cron,
    'wp_schedule_event' | 'wp_schedule_single_event' | 'wp_next_scheduled' | 'wp_unschedule_event' | 'wp_clear_scheduled_hook' | 'wp_get_schedules'
  >;
  /** The path of one of this plugin's views: path.join(dir, 'views', name). */
  view(name: string): string;
  /** The host's UI helpers: escaping templates, form rows, the list table. */
  readonly ui: AdminUi;
  /**
   * Services plugins offer each other by name (the webhooks plugin provides 'webhooks').
   * A provided service disappears when its plugin is deactivated.
   */
  readonly services: {
    provide(name: string, service: unknown): void;
    get<T = unknown>(name: string): T | undefined;
  };
  /** Public (non-admin) routes of the plugin, e.g. a link in an email. Removed on deactivation. */
  readonly routes: {
    get(path: string, handler: PublicHandler): void;
    /**
     * A POST route. The body is not parsed: it arrives as `req.rawBody` (a Buffer), read up to
     * `maxBodyBytes` (default 1 MB); a larger one is answered 413 by the host, unread.
     */
    post(path: string, handler: PublicHandler, opts?: { maxBodyBytes?: number }): void;
    /**
     * The route for every method no other route of `path` takes (PUT, DELETE, PATCH, OPTIONS…),
     * e.g. to answer 405 Method Not Allowed with `Allow`; the body is not read (a POST's is, as
     * for `post`). Without one, such a request goes on to the host's 404 page.
     */
    otherMethods(path: string, handler: PublicHandler): void;
  };
}

/**
 * The host's configuration as a plugin sees it: no admin password, no data directory, and of
 * the environment only the variables named after the plugin (`WEBHOOKS_…` for `webhooks`,
 * `EXAMPLE_COUPONS_…` for `example-coupons`).
 */
export interface PluginConfig {
  /** The address the host listens on, e.g. 127.0.0.1. */
  readonly host: string;
  readonly port: number;
  /** The network admin's email (the default sender/recipient of network mail). */
  readonly adminEmail: string;
  /** Environment variables whose name starts with the plugin's prefix (slug upper-cased, "-" → "_", then "_"). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export type PublicHandler = (req: import('express').Request & { rawBody?: Buffer }, res: import('express').Response) => unknown;

export interface AdminUi {
  html: typeof import('../http/html.js').html;
  raw: typeof import('../http/html.js').raw;
  esc: typeof import('../http/html.js').esc;
  formField: typeof import('../admin/form.js').formField;
  bodyString: typeof import('../admin/form.js').bodyString;
  bodyIds: typeof import('../admin/form.js').bodyIds;
  renderListTable: typeof import('../admin/list-table.js').renderListTable;
  parseListQuery: typeof import('../admin/list-table.js').parseListQuery;
  currentBulkAction: typeof import('../admin/list-table.js').currentBulkAction;
  returnUrl: typeof import('../admin/form.js').returnUrl;
  renderPostConfirmation: typeof import('../admin/form.js').renderPostConfirmation;
}

export interface PluginInfo {
  slug: string;
  dir: string;
  manifest: PluginManifest;
  module: PluginModule;
}

/** A plugin that cannot be found, loaded or registered; codes PLUGIN_* in core/error-codes.ts. */
export class PluginError extends HookpressError<CoreErrorCode> {
  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'PluginError';
  }
}
