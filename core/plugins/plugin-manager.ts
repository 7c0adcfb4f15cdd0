import type { Host } from '../host.js';
import { discoverPlugins, pluginEntry, type BrokenPlugin } from './discover.js';
import { createPluginApi } from './plugin-api.js';
import type { HookLedger } from './tracked-hooks.js';
import type { PluginFailures } from './containment.js';
import { createHooks } from '../hooks/index.js';
import { isStorageError, isTransientStorageError, startupRetrier, storageFaultMessage } from '../db/storage-errors.js';
import { PluginError, type PluginApi, type PluginInfo, type PluginManifest } from './types.js';

const ACTIVE_OPTION = 'active_sitewide_plugins';

export interface PluginListing {
  slug: string;
  manifest?: PluginManifest;
  active: boolean;
  error?: string;
  /** Whether the plugin has an uninstall step (offered on the Plugins screen when inactive). */
  uninstallable?: boolean;
}

/** Start-up hooks a plugin's callbacks run on: at host start, and when it is activated later. */
const STARTUP_HOOKS = ['plugins_loaded', 'init'] as const;

/**
 * Loads, activates and deactivates plugins. The active set is the network option
 * `active_sitewide_plugins` ({ slug: activation time }), as in WordPress. A plugin whose own
 * code throws — while loading, activating, or in a callback on the start-up hooks
 * (`plugins_loaded`, `init` and what they fire, `network_admin_menu`) — is deactivated, its
 * registrations are rolled back, a notice names it and the error, and the host keeps serving.
 * A transient storage error (busy, locked, full, I/O) is not the plugin's fault: the load is
 * retried with backoff and the plugin stays active whatever happens.
 */
export class PluginManager {
  private available = new Map<string, PluginInfo>();
  private broken: BrokenPlugin[] = [];
  private readonly loaded = new Map<string, { api: PluginApi; ledger: HookLedger }>();
  /** Active plugins this process could not load (slug → when and why: "at this start: the database is busy…"). */
  private readonly unavailable = new Map<string, string>();
  /**
   * Network-active plugins whose folder this process does not have (a plugin rolled out machine by
   * machine): listed as such, loaded by the first rescan or sync that finds the folder.
   */
  private readonly missing = new Set<string>();
  /** Activations, deactivations and syncs of this process, one at a time (their tail). */
  private queue: Promise<void> = Promise.resolve();
  private syncing: Promise<void> | undefined;

  constructor(private readonly host: Host) {
    host.adminMenu.onPluginFailures = (failures) => this.settle(failures, 'building the admin menu');
  }

  /**
   * Discovers the plugins, loads the active ones, then fires the start-up hooks
   * `plugins_loaded` and `init` with plugin callbacks' errors contained.
   */
  async start(): Promise<void> {
    const found = await discoverPlugins(this.host.config.pluginsDir, this.host.config.pluginSlugs);
    this.available = new Map(found.plugins.map((p) => [p.slug, p]));
    this.broken = found.broken;
    await this.retry('setting up plugins', () => {
      if (this.host.options.get_site_option(ACTIVE_OPTION) !== false) return;
      // Fresh install: the plugins that ask for it start network-active.
      const defaults: Record<string, number> = {};
      for (const p of found.plugins) if (p.manifest.networkActiveByDefault) defaults[p.slug] = this.host.config.clock();
      this.host.options.add_site_option(ACTIVE_OPTION, defaults);
    });
    for (const slug of this.activeSlugs()) {
      if (!this.available.has(slug)) {
        // Not deactivated: another process (or this one after a deploy) may have it; turning it
        // off here would turn it off for the whole network, without its deactivate hook.
        this.host.logger.warn({ plugin: slug }, "an active plugin is not in this process's plugins folder; not loaded here, left network-active");
        this.missing.add(slug);
        continue;
      }
      await this.loadActive(slug, 'start');
    }
    const { failures } = this.host.guard.contained(() => {
      for (const hook of STARTUP_HOOKS) this.host.hooks.do_action(hook, '');
    });
    this.settle(failures, 'starting up');
  }

  /**
   * Loads an active plugin (`load`, never `activate`), reporting a failure as at start: a
   * transient storage error (after the retries) or a plugin needing SQLite on PostgreSQL leaves
   * it active but not loaded in this process (shown on Plugins, logged); an error of its own code
   * deactivates it network-wide with a notice naming it. Resolves whether it loaded.
   */
  private async loadActive(slug: string, when: 'start' | 'sync' | 'arrived'): Promise<boolean> {
    const at = when === 'start' ? 'at this start' : when === 'sync' ? 'when another process activated it' : 'when its folder appeared here';
    try {
      await this.retry(`loading plugin ${slug}`, () => this.load(slug));
      this.unavailable.delete(slug);
      return true;
    } catch (error) {
      if (isTransientStorageError(error)) {
        // Not the plugin's fault: it stays active.
        this.unload(slug);
        this.unavailable.set(slug, `${at}: ${storageFaultMessage(error)}`);
        this.host.logger.error({ plugin: slug, err: error }, `plugin not loaded: the database stayed unavailable; it stays active and loads at the next start`);
      } else if (needsSqlite(error)) {
        // A plugin still on api.sqlite (or raw-SQL migrations) on a PostgreSQL host: skipped, not
        // deactivated — the network's other processes (or a later version of it) may run it.
        this.unload(slug);
        this.unavailable.set(slug, `${at}: it needs SQLite (api.sqlite) and this host runs on PostgreSQL: ${messageOf(error)}`);
        this.host.logger.error({ plugin: slug, code: 'PLUGIN_NO_SQLITE', err: error }, `plugin ${slug} not loaded: it needs SQLite (api.sqlite) and this host runs on PostgreSQL; it stays active`);
      } else {
        this.fail(slug, 'loading', error);
      }
      return false;
    }
  }

  /**
   * Follows another process's Network Activate / Deactivate: brings the plugins loaded here in
   * line with `active_sitewide_plugins` as this process's options cache now holds it (call it
   * after an options reload, core/options/options-sync.ts). A newly active plugin is loaded
   * (`load`, then its own `plugins_loaded` and `init` callbacks, then `activated_plugin`); a
   * plugin no longer active is unloaded (its hooks, menu pages, services, public routes and
   * capabilities removed, then `deactivated_plugin`). The plugin's `activate` / `deactivate` run
   * only in the process where the admin acted, never here. A plugin failing to load is reported
   * as at start (see `loadActive`); one missing from this process's plugins folder is logged and
   * not loaded here, not deactivated (another process, or this one after a deploy, may run it). Runs after any activation, deactivation or sync under way in this
   * process (one at a time); never rejects (errors are logged).
   */
  sync(): Promise<void> {
    const run = this.exclusive(() => this.reconcile());
    const done = run.catch((error: unknown) => this.host.logger.error({ err: error }, 'following the network\'s active plugins failed'));
    const tracked: Promise<void> = done.finally(() => {
      if (this.syncing === tracked) this.syncing = undefined;
    });
    this.syncing = tracked;
    return tracked;
  }

  /** The sync queued or under way, if any (requests wait for it, so they see the plugins the option says). */
  pendingSync(): Promise<void> | undefined {
    return this.syncing;
  }

  private async reconcile(): Promise<void> {
    const active = new Set(this.activeSlugs());
    for (const slug of this.unavailable.keys()) if (!active.has(slug)) this.unavailable.delete(slug);
    for (const slug of this.missing) if (!active.has(slug)) this.missing.delete(slug);
    for (const slug of [...this.loaded.keys()]) {
      if (active.has(slug)) continue;
      this.host.logger.info({ plugin: slug }, 'plugin network-deactivated by another process; unloading');
      this.unload(slug);
      this.host.adminMenu.invalidate();
      this.settle(this.host.guard.contained(() => this.fireDeactivated(slug)).failures, 'another plugin was deactivated');
    }
    // Activated by another process from a folder copied here since this process last looked:
    // rescan only once such a folder has an entry file — a folder still missing costs a stat per
    // sync (every options reload, which requests wait for), not a walk and import of the folder.
    const { pluginsDir, pluginSlugs } = this.host.config;
    const arrived = (slug: string) => !this.available.has(slug) && !this.unavailable.has(slug) && pluginEntry(pluginsDir, slug, pluginSlugs) !== undefined;
    if ([...active].some(arrived)) await this.rescanNow();
    for (const slug of active) {
      // Still active (a plugin failing meanwhile was deactivated), not loaded, not known to fail here.
      if (!this.isActive(slug) || this.loaded.has(slug) || this.unavailable.has(slug)) continue;
      if (!this.available.has(slug)) {
        // Not in `unavailable`: every later rescan or sync looks for its folder again.
        if (!this.missing.has(slug)) this.host.logger.error({ plugin: slug }, `plugin ${slug} network-activated by another process is not in this process's plugins folder; not loaded`);
        this.missing.add(slug);
        continue;
      }
      await this.loadLate(slug);
    }
  }

  /**
   * Loads a network-active plugin this process had not loaded (activated by another process, or
   * whose folder has just appeared here): `load` — never `activate`, which ran where the admin
   * activated it — then its own start-up callbacks and `activated_plugin` (see `startLoaded`).
   */
  private async loadLate(slug: string): Promise<void> {
    const arrived = this.missing.delete(slug);
    this.host.logger.info({ plugin: slug }, arrived ? "a network-active plugin's folder appeared in this process's plugins folder; loading" : 'plugin network-activated by another process; loading');
    if (!(await this.loadActive(slug, arrived ? 'arrived' : 'sync'))) return;
    const own = this.startLoaded(slug, 'another plugin was activated');
    if (own !== undefined) this.settle(new Map([[slug, own.error]]), 'loading');
  }

  /** Loads the network-active plugins whose folder was missing here and is now found (after a rescan). */
  private async loadArrived(): Promise<void> {
    for (const slug of [...this.missing]) {
      if (!this.isActive(slug)) this.missing.delete(slug);
      else if (this.available.has(slug) && !this.loaded.has(slug)) await this.loadLate(slug);
    }
  }

  /**
   * Looks at the plugins folder again, as WordPress's get_plugins() does on every load of the
   * Plugins screen: a folder copied in since start is listed (its module imported to read the
   * manifest) and can be activated without a restart; an inactive plugin whose folder was removed
   * is no longer listed. Loaded plugins keep their module (their code runs from memory), even if
   * their folder is gone. A folder that cannot be read is logged and the last listing kept: the
   * screen never fails over it. A network-active plugin whose folder was missing in this process
   * (see `start`, `sync`) and is now found is loaded (`load`, not `activate`). Runs in turn with
   * activations and syncs; never rejects.
   */
  rescan(): Promise<void> {
    return this.exclusive(() => this.rescanAndLoadArrived()).catch((error: unknown) => this.host.logger.error({ err: error }, 'loading the plugins found by a rescan failed'));
  }

  /** The one step behind `rescan` and `activate`: read the plugins folder, then load the network-active plugins it now holds. */
  private async rescanAndLoadArrived(): Promise<void> {
    await this.rescanNow();
    await this.loadArrived();
  }

  private async rescanNow(): Promise<void> {
    let found: Awaited<ReturnType<typeof discoverPlugins>>;
    try {
      found = await discoverPlugins(this.host.config.pluginsDir, this.host.config.pluginSlugs);
    } catch (error) {
      this.host.logger.error({ err: error, pluginsDir: this.host.config.pluginsDir }, 'reading the plugins folder failed; the plugin list is the last one read');
      return;
    }
    const next = new Map(found.plugins.map((p) => [p.slug, p]));
    for (const slug of this.loaded.keys()) {
      const running = this.available.get(slug);
      if (running) next.set(slug, running);
    }
    this.available = next;
    this.broken = found.broken.filter((b) => !next.has(b.slug));
  }

  /** Runs `fn` after every activation, deactivation or sync of this process queued before it. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  list(): PluginListing[] {
    const active = new Set(this.activeSlugs());
    // Network-active here without a folder: listed so it can be network-deactivated from this process too.
    const missing = [...this.missing].filter((slug) => active.has(slug) && !this.available.has(slug));
    return [
      ...missing.map((slug): PluginListing => ({ slug, active: true, error: `“${slug}” is network-active but its folder is missing on this server.` })),
      ...[...this.available.values()].map((p): PluginListing => {
        const down = this.unavailable.get(p.slug);
        const listing: PluginListing = { slug: p.slug, manifest: p.manifest, active: active.has(p.slug), uninstallable: typeof p.module.uninstall === 'function' };
        return down && listing.active ? { ...listing, error: `It is active but was not loaded ${down}` } : listing;
      }),
      ...this.broken.map((b) => ({ slug: b.slug, active: false, error: b.error })),
    ].sort((a, b) => a.slug.localeCompare(b.slug));
  }

  isActive(slug: string): boolean {
    return this.activeSlugs().includes(slug);
  }

  /** The API object of a loaded plugin (tests use it to reach a plugin's services). */
  apiOf(slug: string): PluginApi | undefined {
    return this.loaded.get(slug)?.api;
  }

  /**
   * Network-activates a plugin: its `activate` and `load`, then its own `plugins_loaded` and
   * `init` callbacks (the host's have run already), then `activated_plugin`. Any error of the
   * plugin's code on the way leaves it inactive with its registrations rolled back.
   * Resolves once the active state is stored (on PostgreSQL too, where options are written in
   * the background).
   * @throws PluginError PLUGIN_NOT_FOUND, PLUGIN_ACTIVATION_FAILED (the message names the plugin and the error)
   * @throws a storage error (SQLITE_BUSY…) when the database failed: nothing was activated, try again.
   */
  activate(slug: string): Promise<void> {
    return this.exclusive(() => this.activateNow(slug));
  }

  private async activateNow(slug: string): Promise<void> {
    // What is on disk now, as WordPress activates: a folder copied in since the listing was read
    // is found, one removed meanwhile is not activated from memory.
    await this.rescanAndLoadArrived();
    const plugin = this.available.get(slug);
    if (!plugin) throw new PluginError('PLUGIN_NOT_FOUND', `There is no plugin "${slug}".`);
    if (this.isActive(slug)) return;
    const failed = (error: unknown) =>
      new PluginError('PLUGIN_ACTIVATION_FAILED', `Plugin “${plugin.manifest.name}” could not be activated: ${messageOf(error)}`, { cause: error });
    try {
      const { api } = this.prepare(plugin);
      await plugin.module.activate?.(api);
      await plugin.module.load?.(api);
    } catch (error) {
      this.unload(slug);
      if (isTransientStorageError(error)) throw error;
      this.host.logger.error({ plugin: slug, err: error }, 'plugin failed while activating');
      throw failed(error);
    }
    try {
      await this.setActive(slug, true);
    } catch (error) {
      // PostgreSQL: the active set was not stored (the options cache is reloaded): not activated.
      this.unload(slug);
      throw error;
    }
    const own = this.startLoaded(slug, 'another plugin was activated');
    if (own !== undefined) {
      this.fail(slug, 'activating', own.error, { notice: false });
      this.settle(this.host.guard.contained(() => this.fireDeactivated(slug)).failures, 'another plugin was deactivated');
      throw failed(own.error);
    }
  }

  /**
   * A plugin just loaded at run time (activated here, or by another process): the menu is rebuilt,
   * its own `plugins_loaded` and `init` callbacks run (the host's have run already), then
   * `activated_plugin` — contained; other plugins failing on the way are settled (`during`).
   * Returns the plugin's own error, if its callbacks threw (the caller decides what that means).
   */
  private startLoaded(slug: string, during: string): { error: unknown } | undefined {
    this.host.adminMenu.invalidate();
    const { failures } = this.host.guard.contained(() => {
      this.runOwnStartupHooks(slug);
      this.host.hooks.do_action('activated_plugin', slug, true);
    });
    const own = failures.has(slug) ? { error: failures.get(slug) } : undefined;
    failures.delete(slug);
    this.settle(failures, during);
    return own;
  }

  /**
   * Network-deactivates a plugin: saved inactive, its `deactivate`, then everything it
   * registered is removed and `deactivated_plugin` fires. Resolves once the inactive state is
   * stored (on PostgreSQL too, where options are written in the background). A storage fault
   * (busy, full…) on the way, or the write of the active set failing, puts the saved state back
   * and is thrown (503: nothing changed, try again); an error of the plugin's own `deactivate`
   * still deactivates it, then is thrown.
   */
  deactivate(slug: string): Promise<void> {
    return this.exclusive(() => this.deactivateNow(slug));
  }

  private async deactivateNow(slug: string): Promise<void> {
    if (!this.isActive(slug)) return;
    const state = this.loaded.get(slug);
    const plugin = this.available.get(slug);
    const saved = this.host.options.get_site_option<unknown>(ACTIVE_OPTION, {});
    const stored = this.setActive(slug, false);
    // Awaited below, after the plugin's deactivate (which may fail first).
    stored.catch(() => undefined);
    this.unavailable.delete(slug);
    let failure: unknown;
    try {
      if (state && plugin) await plugin.module.deactivate?.(state.api);
    } catch (error) {
      if (isStorageError(error)) {
        this.host.options.update_site_option(ACTIVE_OPTION, saved);
        throw error;
      }
      failure = error;
    }
    try {
      // PostgreSQL writes options in the background: resolve only once the plugin is stored
      // inactive, also outside a request (no unit of work waits for the write there).
      await stored;
    } catch (error) {
      // Not stored: it stays active, as the database (and the reloading cache) says.
      this.host.options.update_site_option(ACTIVE_OPTION, saved);
      throw error;
    }
    // Stored inactive (kept while it was not: still network-active, still listed as missing).
    this.missing.delete(slug);
    this.unload(slug);
    this.host.adminMenu.invalidate();
    this.fireDeactivated(slug);
    if (failure !== undefined) throw failure;
  }

  /**
   * Runs an inactive plugin's `uninstall(api)` (WordPress's uninstall.php): it removes the
   * plugin's data; the folder stays. Fires `pre_uninstall_plugin` (slug) before and
   * `uninstalled_plugin` (slug) after. Throws PluginError `PLUGIN_NOT_FOUND`,
   * `PLUGIN_ACTIVE` (deactivate it first) or `PLUGIN_UNINSTALL_FAILED` (with the cause).
   */
  async uninstall(slug: string): Promise<void> {
    const plugin = this.available.get(slug);
    if (!plugin) throw new PluginError('PLUGIN_NOT_FOUND', `There is no plugin "${slug}".`);
    if (this.isActive(slug)) throw new PluginError('PLUGIN_ACTIVE', `Deactivate the plugin "${plugin.manifest.name}" before uninstalling it.`);
    this.host.hooks.do_action('pre_uninstall_plugin', slug);
    const state = createPluginApi(this.host, plugin);
    try {
      await plugin.module.uninstall?.(state.api);
    } catch (error) {
      this.host.logger.error({ plugin: slug, err: error }, 'plugin failed while uninstalling');
      throw new PluginError('PLUGIN_UNINSTALL_FAILED', `Plugin "${plugin.manifest.name}" could not be uninstalled: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    } finally {
      state.ledger.undo(this.host.hooks);
    }
    this.host.hooks.do_action('uninstalled_plugin', slug);
  }

  /** Forgets every loaded plugin (their hooks, menus, services, routes). The host awaits `shutdown` first. */
  unloadAll(): void {
    for (const slug of [...this.loaded.keys()]) this.unload(slug);
  }

  private async load(slug: string): Promise<void> {
    const plugin = this.available.get(slug)!;
    const { api } = this.prepare(plugin);
    await plugin.module.load?.(api);
  }

  /** Retries `fn` on transient storage errors with the configured backoff, logging each retry. */
  private get retry() {
    return startupRetrier(this.host.logger, this.host.config.startupRetry);
  }

  /**
   * Runs the plugin's own callbacks on the start-up hooks, in priority order, as they would
   * have run at start (its callbacks are wrapped, so errors are contained and attributed).
   */
  private runOwnStartupHooks(slug: string): void {
    const state = this.loaded.get(slug);
    if (!state) return;
    const local = createHooks();
    for (const hook of STARTUP_HOOKS) {
      for (const [name, cb, priority, acceptedArgs] of state.ledger.on(hook)) local.add_action(name, cb, priority ?? 10, acceptedArgs ?? 1);
      local.do_action(hook, '');
    }
  }

  /**
   * Deactivates the plugins whose callbacks threw in a contained run, and tells the others
   * (`deactivated_plugin`, itself contained) so they drop what those plugins registered with them.
   */
  private settle(failures: PluginFailures, during: string): void {
    for (let round = 0; failures.size && round < 20; round++) {
      const next: PluginFailures = new Map();
      for (const [slug, error] of failures) {
        if (isTransientStorageError(error)) {
          this.host.logger.error({ plugin: slug, err: error }, `plugin callback failed while ${during}: the database was unavailable; it stays active`);
          continue;
        }
        if (!this.loaded.has(slug)) continue;
        this.fail(slug, during, error);
        for (const [s, e] of this.host.guard.contained(() => this.fireDeactivated(slug)).failures) next.set(s, e);
      }
      failures = next;
    }
  }

  private fireDeactivated(slug: string): void {
    this.host.hooks.do_action('deactivated_plugin', slug, true);
  }

  private prepare(plugin: PluginInfo): { api: PluginApi; ledger: HookLedger } {
    this.unload(plugin.slug);
    const state = createPluginApi(this.host, plugin);
    this.loaded.set(plugin.slug, state);
    // Just-in-time translations of the plugin's own text domain (languages/<slug>-<locale>.mo|.po).
    state.api.i18n.load_plugin_textdomain();
    return state;
  }

  private unload(slug: string): void {
    const state = this.loaded.get(slug);
    if (!state) return;
    state.ledger.undo(this.host.hooks);
    this.host.menu.removeOwner(slug);
    for (const [name, s] of this.host.services) if (s.owner === slug) this.host.services.delete(name);
    for (const [key, r] of this.host.publicRoutes) if (r.owner === slug) this.host.publicRoutes.delete(key);
    this.host.capabilities.removeOwner(slug);
    this.loaded.delete(slug);
  }

  /** Deactivates a plugin for an error in its own code: rolled back, saved inactive, a notice names it. */
  private fail(slug: string, during: string, error: unknown, options: { notice?: boolean } = {}): void {
    const name = this.available.get(slug)?.manifest.name ?? slug;
    this.host.logger.error({ plugin: slug, err: error }, `plugin failed while ${during}; deactivated`);
    this.unload(slug);
    this.host.adminMenu.invalidate();
    try {
      // A background write that fails (PostgreSQL) is logged and the options reloaded by SiteOptions.
      this.setActive(slug, false).catch(() => undefined);
      if (options.notice !== false) {
        this.host.notices.add({
          id: `plugin-error-${slug}`,
          type: 'error',
          message: `The plugin “${name}” was deactivated because it failed while ${during}: ${messageOf(error)}`,
        });
      }
    } catch (storageError) {
      // Unloaded for this run either way; the next start meets the same error and tries again.
      this.host.logger.error({ plugin: slug, err: storageError }, 'could not save the deactivation');
    }
  }

  private activeSlugs(): string[] {
    const value = this.host.options.get_site_option<unknown>(ACTIVE_OPTION, {});
    return value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
  }

  /**
   * Saves `slug` (in)active in the network's active set: the cache at once; resolves once the
   * database has it (on PostgreSQL the write goes out in the background), rejects when that
   * write failed. Throws at once when a synchronous (SQLite) write fails.
   */
  private setActive(slug: string, active: boolean): Promise<void> {
    const current = this.host.options.get_site_option<Record<string, number>>(ACTIVE_OPTION, {}) || {};
    const next = { ...current };
    if (active) next[slug] = this.host.config.clock();
    else delete next[slug];
    this.host.options.update_site_option(ACTIVE_OPTION, next);
    return this.host.options.written(ACTIVE_OPTION);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The error, or one of its causes, is PLUGIN_NO_SQLITE: the plugin needs the synchronous SQLite handle. */
function needsSqlite(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof PluginError && e.code === 'PLUGIN_NO_SQLITE') return true;
  }
  return false;
}
