import type { Hooks } from '../hooks/index.js';
import type { Clock } from '../config.js';
import { OptionError } from './site-options.js';
import type { SiteTransientsStore, TransientRow } from './site-transients-store.js';

/**
 * WordPress's site transients (wp-includes/option.php) as WordPress keeps them with an object
 * cache: in a store of their own (`site_transients`), read and written in the database by every
 * process, not in the network options cache. A value has an expiry (unix seconds, or none); an
 * expired one is deleted when read. Hooks as in WordPress: `pre_site_transient_{name}`,
 * `site_transient_{name}`, `pre_set_site_transient_{name}`, `expiration_of_site_transient_{name}`,
 * `set_site_transient_{name}`, `setted_site_transient`, `delete_site_transient_{name}`,
 * `deleted_site_transient`. The WordPress calls are synchronous (SQLite); the `…Async` ones
 * (same hooks) work on both backends.
 */
export class SiteTransients {
  constructor(
    private readonly store: SiteTransientsStore,
    private readonly hooks: Hooks,
    private readonly clock: Clock,
  ) {}

  /** The value, or false when it is missing or expired (as WordPress). */
  get_site_transient<T = unknown>(transient: string): T | false {
    const pre = this.hooks.apply_filters(`pre_site_transient_${transient}`, false, transient);
    if (pre !== false) return pre as T;
    return this.answer<T>(transient, this.store.getSync(transient), () => void this.store.deleteSync(transient));
  }

  /** `get_site_transient` on either backend. */
  async getAsync<T = unknown>(transient: string): Promise<T | false> {
    const pre = this.hooks.apply_filters(`pre_site_transient_${transient}`, false, transient);
    if (pre !== false) return pre as T;
    const row = await this.store.get(transient);
    if (row && this.expired(row)) await this.store.delete(transient);
    return this.answer<T>(transient, row, () => {});
  }

  /**
   * Stores `value` for `expiration` seconds (0 = no expiry). Names longer than 167
   * characters are refused (WordPress's limit), answering false.
   * @throws OptionError (OPTION_INVALID) for a value JSON cannot hold.
   */
  set_site_transient(transient: string, value: unknown, expiration = 0): boolean {
    const prepared = this.prepare(transient, value, expiration);
    if (!prepared) return false;
    this.store.setSync(transient, prepared.json, prepared.expires);
    return this.stored(transient, prepared);
  }

  /** `set_site_transient` on either backend. */
  async setAsync(transient: string, value: unknown, expiration = 0): Promise<boolean> {
    const prepared = this.prepare(transient, value, expiration);
    if (!prepared) return false;
    await this.store.set(transient, prepared.json, prepared.expires);
    return this.stored(transient, prepared);
  }

  /** Deletes it; true when it existed. */
  delete_site_transient(transient: string): boolean {
    this.hooks.do_action(`delete_site_transient_${transient}`, transient);
    return this.deleted(transient, this.store.deleteSync(transient));
  }

  /** `delete_site_transient` on either backend. */
  async deleteAsync(transient: string): Promise<boolean> {
    this.hooks.do_action(`delete_site_transient_${transient}`, transient);
    return this.deleted(transient, await this.store.delete(transient));
  }

  private answer<T>(transient: string, row: TransientRow | undefined, removeExpired: () => void): T | false {
    let value: unknown = false;
    if (row && this.expired(row)) removeExpired();
    else if (row) value = JSON.parse(row.value);
    return this.hooks.apply_filters(`site_transient_${transient}`, value, transient) as T | false;
  }

  private expired(row: TransientRow): boolean {
    return row.expires !== null && Number(row.expires) < this.now();
  }

  private prepare(transient: string, value: unknown, expiration: number): { value: unknown; seconds: number; json: string; expires: number | null } | undefined {
    if (typeof transient !== 'string' || transient === '' || transient.length > 167) return undefined;
    value = this.hooks.apply_filters(`pre_set_site_transient_${transient}`, value, transient);
    const seconds = Math.max(0, Math.floor(Number(this.hooks.apply_filters(`expiration_of_site_transient_${transient}`, expiration, value, transient)) || 0));
    const json = JSON.stringify(value);
    if (json === undefined) throw new OptionError(`The value of site transient "${transient}" cannot be stored as JSON.`);
    return { value, seconds, json, expires: seconds > 0 ? this.now() + seconds : null };
  }

  private stored(transient: string, p: { value: unknown; seconds: number }): true {
    this.hooks.do_action(`set_site_transient_${transient}`, p.value, p.seconds, transient);
    this.hooks.do_action('setted_site_transient', transient, p.value, p.seconds);
    return true;
  }

  private deleted(transient: string, existed: boolean): boolean {
    if (existed) this.hooks.do_action('deleted_site_transient', transient);
    return existed;
  }

  private now(): number {
    return Math.floor(this.clock() / 1000);
  }
}
