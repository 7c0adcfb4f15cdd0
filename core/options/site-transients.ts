import type { Hooks } from '../hooks/index.js';
import type { Clock } from '../config.js';
import type { SiteOptions } from './site-options.js';

/**
 * WordPress's site transients (wp-includes/option.php, multisite without an object cache):
 * a value stored as the network option `_site_transient_{name}` with its expiry (unix
 * seconds) in `_site_transient_timeout_{name}`; an expired one is deleted when read.
 * Hooks as in WordPress: `pre_site_transient_{name}`, `site_transient_{name}`,
 * `pre_set_site_transient_{name}`, `expiration_of_site_transient_{name}`,
 * `set_site_transient_{name}`, `setted_site_transient`, `delete_site_transient_{name}`,
 * `deleted_site_transient`.
 */
export class SiteTransients {
  constructor(
    private readonly options: SiteOptions,
    private readonly hooks: Hooks,
    private readonly clock: Clock,
  ) {}

  /** The value, or false when it is missing or expired (as WordPress). */
  get_site_transient<T = unknown>(transient: string): T | false {
    const pre = this.hooks.apply_filters(`pre_site_transient_${transient}`, false, transient);
    if (pre !== false) return pre as T;
    const timeoutKey = `_site_transient_timeout_${transient}`;
    const timeout = this.options.get_site_option<number | false>(timeoutKey, false);
    if (timeout !== false && timeout < this.now()) {
      this.options.delete_site_option(`_site_transient_${transient}`);
      this.options.delete_site_option(timeoutKey);
      return this.hooks.apply_filters(`site_transient_${transient}`, false, transient) as false;
    }
    const value = this.options.get_site_option<unknown>(`_site_transient_${transient}`, false);
    return this.hooks.apply_filters(`site_transient_${transient}`, value, transient) as T | false;
  }

  /**
   * Stores `value` for `expiration` seconds (0 = no expiry). Names longer than 167
   * characters are refused (WordPress's limit), answering false.
   */
  set_site_transient(transient: string, value: unknown, expiration = 0): boolean {
    if (typeof transient !== 'string' || transient === '' || transient.length > 167) return false;
    value = this.hooks.apply_filters(`pre_set_site_transient_${transient}`, value, transient);
    const seconds = Math.max(0, Math.floor(Number(this.hooks.apply_filters(`expiration_of_site_transient_${transient}`, expiration, value, transient)) || 0));
    const timeoutKey = `_site_transient_timeout_${transient}`;
    const key = `_site_transient_${transient}`;
    if (seconds > 0) this.options.update_site_option(timeoutKey, this.now() + seconds);
    else this.options.delete_site_option(timeoutKey);
    const existed = this.options.get_site_option(key, undefined) !== undefined;
    const result = existed ? this.options.update_site_option(key, value) : this.options.add_site_option(key, value);
    if (result) {
      this.hooks.do_action(`set_site_transient_${transient}`, value, seconds, transient);
      this.hooks.do_action('setted_site_transient', transient, value, seconds);
    }
    return result;
  }

  /** Deletes it; true when it existed. */
  delete_site_transient(transient: string): boolean {
    this.hooks.do_action(`delete_site_transient_${transient}`, transient);
    const result = this.options.delete_site_option(`_site_transient_${transient}`);
    if (result) {
      this.options.delete_site_option(`_site_transient_timeout_${transient}`);
      this.hooks.do_action('deleted_site_transient', transient);
    }
    return result;
  }

  private now(): number {
    return Math.floor(this.clock() / 1000);
  }
}
