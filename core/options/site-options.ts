import { HookpressError } from '../errors.js';
import '../error-codes.js';
import type { Hooks } from '../hooks/index.js';
import type { OptionsStore } from './options-store.js';

const NETWORK_ID = 1;

/** A bad option name or value (code OPTION_INVALID in core/error-codes.ts). */
export class OptionError extends HookpressError<'OPTION_INVALID'> {
  constructor(message: string) {
    super('OPTION_INVALID', message);
    this.name = 'OptionError';
  }
}

/**
 * Network options with WordPress's API and hooks (`get_site_option` & co. over
 * `*_network_option`). Values are stored as JSON; `false` means "absent", as in WordPress.
 * Reads are cached in memory, like WordPress's object cache.
 */
export class SiteOptions {
  private readonly cache = new Map<string, unknown>();

  constructor(
    private readonly store: OptionsStore,
    private readonly hooks: Hooks,
  ) {}

  get_site_option<T = unknown>(option: string, defaultValue: unknown = false): T {
    assertName(option);
    const pre = this.hooks.apply_filters(`pre_site_option_${option}`, false, option, NETWORK_ID, defaultValue);
    if (pre !== false) return pre as T;
    let value: unknown;
    const raw = this.load(option);
    if (raw === undefined) {
      value = this.hooks.apply_filters(`default_site_option_${option}`, defaultValue, option, NETWORK_ID);
    } else {
      value = raw;
    }
    return this.hooks.apply_filters(`site_option_${option}`, value, option, NETWORK_ID) as T;
  }

  add_site_option(option: string, value: unknown): boolean {
    assertName(option);
    // sanitize_option(): register_setting's sanitize callbacks hook here, as in WordPress.
    value = this.hooks.apply_filters(`sanitize_option_${option}`, value, option, value);
    value = this.hooks.apply_filters(`pre_add_site_option_${option}`, value, option, NETWORK_ID);
    if (this.load(option) !== undefined) return false;
    if (!this.store.insert(option, encode(option, value))) return false;
    this.cache.set(option, clone(value));
    this.hooks.do_action(`add_site_option_${option}`, option, value, NETWORK_ID);
    this.hooks.do_action('add_site_option', option, value, NETWORK_ID);
    return true;
  }

  update_site_option(option: string, value: unknown): boolean {
    assertName(option);
    const oldValue = this.get_site_option(option);
    value = this.hooks.apply_filters(`sanitize_option_${option}`, value, option, value);
    value = this.hooks.apply_filters(`pre_update_site_option_${option}`, value, oldValue, option, NETWORK_ID);
    value = this.hooks.apply_filters('pre_update_site_option', value, option, oldValue, NETWORK_ID);
    if (value === oldValue || JSON.stringify(value) === JSON.stringify(oldValue)) return false;
    if (oldValue === false) return this.add_site_option(option, value);
    this.store.update(option, encode(option, value));
    this.cache.set(option, clone(value));
    this.hooks.do_action(`update_site_option_${option}`, option, value, oldValue, NETWORK_ID);
    this.hooks.do_action('update_site_option', option, value, oldValue, NETWORK_ID);
    return true;
  }

  delete_site_option(option: string): boolean {
    assertName(option);
    this.hooks.do_action(`pre_delete_site_option_${option}`, option, NETWORK_ID);
    if (!this.store.delete(option)) return false;
    this.cache.delete(option);
    this.hooks.do_action(`delete_site_option_${option}`, option, NETWORK_ID);
    this.hooks.do_action('delete_site_option', option, NETWORK_ID);
    return true;
  }

  /** The stored value (a fresh copy, so callers cannot corrupt the cache), or undefined. */
  private load(option: string): unknown {
    if (!this.cache.has(option)) {
      const raw = this.store.read(option);
      if (raw === undefined) return undefined;
      this.cache.set(option, JSON.parse(raw));
    }
    return clone(this.cache.get(option));
  }
}

function encode(option: string, value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new OptionError(`The value of option "${option}" cannot be stored as JSON.`);
  return json;
}

function clone<T>(value: T): T {
  return value === null || typeof value !== 'object' ? value : structuredClone(value);
}

function assertName(option: unknown): void {
  if (typeof option !== 'string' || option.trim() === '') {
    throw new OptionError('An option name must be a non-empty string.');
  }
}
