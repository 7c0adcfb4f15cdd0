import type { Hooks } from '../hooks/index.js';
import type { SiteOptions } from '../options/site-options.js';
import { PluginError } from '../plugins/types.js';

const GRANTS = 'hookpress_user_capabilities';

export interface CapabilityInfo {
  cap: string;
  description: string;
  /** The plugin that declared it. */
  owner: string;
}

/**
 * Custom capabilities plugins declare (e.g. 'manage_coupons'). Super admins have every one
 * (WordPress's rule); other users have one when it is granted to them (WP_User::add_cap),
 * stored in the network option `hookpress_user_capabilities` and applied through the
 * `user_has_cap` filter, so `user_can` and menu capabilities just work.
 */
export class CustomCapabilities {
  private readonly declared = new Map<string, CapabilityInfo>();

  constructor(
    private readonly options: SiteOptions,
    hooks: Hooks,
  ) {
    hooks.add_filter(
      'user_has_cap',
      (allcaps: Record<string, boolean>, caps: string[], args: unknown[]) => {
        const userId = Number(args[1]);
        const granted = this.grants()[String(userId)] ?? [];
        const out = { ...allcaps };
        for (const cap of caps) if (granted.includes(cap) && this.declared.has(cap)) out[cap] = true;
        return out;
      },
      10,
      3,
    );
  }

  /** Declares a capability; throws PluginError PLUGIN_BAD_CAPABILITY for a bad name or one another plugin declared. */
  register(cap: string, description: string, owner: string): void {
    if (!/^[a-z0-9_]{3,64}$/.test(cap)) throw new PluginError('PLUGIN_BAD_CAPABILITY', `A capability is 3–64 lowercase letters, digits or underscores; got ${JSON.stringify(cap)}.`);
    const taken = this.declared.get(cap);
    if (taken && taken.owner !== owner) throw new PluginError('PLUGIN_BAD_CAPABILITY', `The capability "${cap}" is already declared by plugin "${taken.owner}".`);
    this.declared.set(cap, { cap, description, owner });
  }

  /** Forgets the capabilities of a plugin (on deactivation); grants stay stored for a reactivation. */
  removeOwner(owner: string): void {
    for (const [cap, info] of this.declared) if (info.owner === owner) this.declared.delete(cap);
  }

  list(): CapabilityInfo[] {
    return [...this.declared.values()].sort((a, b) => a.cap.localeCompare(b.cap));
  }

  /** Grants a declared capability to a user; throws PLUGIN_BAD_CAPABILITY for an undeclared one. */
  add_cap(userId: number, cap: string): void {
    if (!this.declared.has(cap)) throw new PluginError('PLUGIN_BAD_CAPABILITY', `Declare the capability "${cap}" with api.users.register_capability before granting it.`);
    // One option holds every grant: start from the database's, not a cache a moment behind.
    this.options.refreshBeforeWrite();
    const grants = this.grants();
    const list = grants[String(userId)] ?? [];
    if (!list.includes(cap)) this.options.update_site_option(GRANTS, { ...grants, [String(userId)]: [...list, cap] });
  }

  remove_cap(userId: number, cap: string): void {
    this.options.refreshBeforeWrite();
    const grants = this.grants();
    const list = grants[String(userId)] ?? [];
    if (list.includes(cap)) this.options.update_site_option(GRANTS, { ...grants, [String(userId)]: list.filter((c) => c !== cap) });
  }

  private grants(): Record<string, string[]> {
    const value = this.options.get_site_option<unknown>(GRANTS, {});
    return value && typeof value === 'object' ? (value as Record<string, string[]>) : {};
  }
}
