import type { Host } from '../host.js';
import { discoverPlugins, type BrokenPlugin } from './discover.js';
import { createPluginApi } from './plugin-api.js';
import type { HookLedger } from './tracked-hooks.js';
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

/**
 * Loads, activates and deactivates plugins. The active set is the network option
 * `active_sitewide_plugins` ({ slug: activation time }), as in WordPress. A plugin that
 * throws while loading or activating is deactivated, a notice names it and the error, and
 * the host keeps serving.
 */
export class PluginManager {
  private available = new Map<string, PluginInfo>();
  private broken: BrokenPlugin[] = [];
  private readonly loaded = new Map<string, { api: PluginApi; ledger: HookLedger }>();

  constructor(private readonly host: Host) {}

  async start(): Promise<void> {
    const found = await discoverPlugins(this.host.config.pluginsDir, this.host.config.pluginSlugs);
    this.available = new Map(found.plugins.map((p) => [p.slug, p]));
    this.broken = found.broken;
    if (this.host.options.get_site_option(ACTIVE_OPTION) === false) {
      // Fresh install: the plugins that ask for it start network-active.
      const defaults: Record<string, number> = {};
      for (const p of found.plugins) if (p.manifest.networkActiveByDefault) defaults[p.slug] = this.host.config.clock();
      this.host.options.add_site_option(ACTIVE_OPTION, defaults);
    }
    for (const slug of this.activeSlugs()) {
      if (!this.available.has(slug)) {
        this.host.logger.warn({ plugin: slug }, 'active plugin not found; deactivating');
        this.setActive(slug, false);
        continue;
      }
      try {
        await this.load(slug);
      } catch (error) {
        this.fail(slug, 'loading', error);
      }
    }
  }

  list(): PluginListing[] {
    const active = new Set(this.activeSlugs());
    return [
      ...[...this.available.values()].map((p) => ({ slug: p.slug, manifest: p.manifest, active: active.has(p.slug), uninstallable: typeof p.module.uninstall === 'function' })),
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

  async activate(slug: string): Promise<void> {
    const plugin = this.available.get(slug);
    if (!plugin) throw new PluginError('PLUGIN_NOT_FOUND', `There is no plugin "${slug}".`);
    if (this.isActive(slug)) return;
    try {
      const { api } = this.prepare(plugin);
      await plugin.module.activate?.(api);
      await plugin.module.load?.(api);
    } catch (error) {
      this.fail(slug, 'activating', error);
      throw new PluginError('PLUGIN_ACTIVATION_FAILED', `Plugin "${plugin.manifest.name}" could not be activated: ${(error as Error).message}`, { cause: error });
    }
    this.setActive(slug, true);
    this.host.adminMenu.invalidate();
    this.host.hooks.do_action('activated_plugin', slug, true);
  }

  async deactivate(slug: string): Promise<void> {
    if (!this.isActive(slug)) return;
    const state = this.loaded.get(slug);
    const plugin = this.available.get(slug);
    try {
      if (state && plugin) await plugin.module.deactivate?.(state.api);
    } finally {
      this.unload(slug);
      this.setActive(slug, false);
      this.host.adminMenu.invalidate();
    }
    this.host.hooks.do_action('deactivated_plugin', slug, true);
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

  private prepare(plugin: PluginInfo): { api: PluginApi; ledger: HookLedger } {
    this.unload(plugin.slug);
    const state = createPluginApi(this.host, plugin);
    this.loaded.set(plugin.slug, state);
    return state;
  }

  private unload(slug: string): void {
    const state = this.loaded.get(slug);
    if (!state) return;
    state.ledger.undo(this.host.hooks);
    this.host.menu.removeOwner(slug);
    for (const [name, s] of this.host.services) if (s.owner === slug) this.host.services.delete(name);
    for (const [key, r] of this.host.publicRoutes) if (r.owner === slug) this.host.publicRoutes.delete(key);
    this.loaded.delete(slug);
  }

  private fail(slug: string, during: string, error: unknown): void {
    const name = this.available.get(slug)?.manifest.name ?? slug;
    this.host.logger.error({ plugin: slug, err: error }, `plugin failed while ${during}; deactivated`);
    this.unload(slug);
    this.setActive(slug, false);
    this.host.adminMenu.invalidate();
    this.host.notices.add({
      id: `plugin-error-${slug}`,
      type: 'error',
      message: `The plugin “${name}” was deactivated because it failed while ${during}: ${(error as Error)?.message ?? String(error)}`,
    });
  }

  private activeSlugs(): string[] {
    const value = this.host.options.get_site_option<unknown>(ACTIVE_OPTION, {});
    return value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
  }

  private setActive(slug: string, active: boolean): void {
    const current = this.host.options.get_site_option<Record<string, number>>(ACTIVE_OPTION, {}) || {};
    const next = { ...current };
    if (active) next[slug] = this.host.config.clock();
    else delete next[slug];
    this.host.options.update_site_option(ACTIVE_OPTION, next);
  }
}
