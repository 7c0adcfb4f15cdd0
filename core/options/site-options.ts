import { HookpressError } from '../errors.js';
import '../error-codes.js';
import type { Logger } from 'pino';
import type { Hooks } from '../hooks/index.js';
import type { OptionsStore } from './options-store.js';
import { currentUnitOfWork } from '../http/unit-of-work.js';

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
 *
 * Reads stay synchronous: every option is held in a per-process cache loaded at start
 * (`load()`, WordPress's `alloptions` with an object cache). Writes update the cache at once
 * (read-your-writes) and go through to the database: on SQLite synchronously (a failure throws,
 * nothing changed); on PostgreSQL in the background (`flush()` awaits them; a failed write is
 * logged and the cache reloaded), each write registered with the running unit of work, so the
 * request that wrote is answered only after the COMMIT (or with a 503 when it failed). Other processes' writes arrive through `refresh()` /
 * `refreshSync()`, which OptionsSync calls (within a second; at the start of each request on SQLite).
 */
export class SiteOptions {
  private cache = new Map<string, unknown>();
  /** The database's options version the cache reflects (see OptionsStore.version). */
  private version = -1;
  /** PostgreSQL: writes in flight, and the values they write (kept over a reload that races them). */
  private readonly pending = new Set<Promise<unknown>>();
  private readonly pendingValues = new Map<string, { value: unknown } | null>();
  /** PostgreSQL: how many of this process's writes have settled (see refresh), and the reload under way. */
  private settledWrites = 0;
  private refreshing: Promise<boolean> | undefined;
  /** PostgreSQL: the last write of each option still in flight (the next one waits for it). */
  private readonly lastWrites = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: OptionsStore,
    private readonly hooks: Hooks,
    private readonly logger?: Logger,
  ) {}

  /** Loads every option into the cache (at start; again when another process changed one). */
  async load(): Promise<void> {
    const version = await this.store.version();
    this.replace(await this.store.loadAll(), version);
  }

  /**
   * Reloads when the database's options changed since the cache was loaded; true when it did.
   * One reload at a time (a later one waits), so an older read never replaces a newer one; and a
   * read that a write of ours committed during is read again — its rows may predate that write,
   * whose value the cache no longer keeps aside once it is committed.
   * `seen`: the options version the caller just read (OptionsSync's poll reads it with the other
   * caches' in one query), so an unchanged cache costs no query of its own; ignored when the
   * call waits behind another reload (by then it may be older than what that one read).
   */
  refresh(seen?: number): Promise<boolean> {
    const previous = this.refreshing;
    const first = previous ? undefined : seen;
    const run = (previous ?? Promise.resolve(false)).then(
      () => this.reload(first),
      () => this.reload(first),
    );
    this.refreshing = run;
    void run.finally(() => {
      if (this.refreshing === run) this.refreshing = undefined;
    }).catch(() => undefined);
    return run;
  }

  private async reload(seen?: number): Promise<boolean> {
    for (let known = seen; ; known = undefined) {
      const writes = this.settledWrites;
      const version = known ?? (await this.store.version());
      if (version === this.version) return false;
      const rows = await this.store.loadAll();
      if (writes !== this.settledWrites) continue;
      this.replace(rows, version);
      return true;
    }
  }

  /** `refresh()` now, on the synchronous SQLite handle. */
  refreshSync(): boolean {
    const version = this.store.versionSync();
    if (version === this.version) return false;
    this.replace(this.store.loadAllSync(), version);
    return true;
  }

  /**
   * Before a read-modify-write of an option (a list such as `site_admins`): on SQLite reloads
   * now if another process changed options, so the write starts from the database's value; on
   * PostgreSQL it does nothing (await `refresh()` there).
   */
  refreshBeforeWrite(): void {
    if (this.store.sync) this.refreshSync();
  }

  /**
   * The write of `option` in flight now (the last one made, so every earlier one of it too):
   * resolves once committed, rejects with its error when it failed (the cache is reloaded then,
   * see persist). Take it right after the write — a write is forgotten once it settled. On
   * PostgreSQL writes go out in the background: a caller outside a request (no unit of work
   * waits for its writes) that must not report a change before it is stored awaits this.
   * Resolved at once on SQLite (writes are synchronous) and when no write of `option` is in flight.
   */
  written(option: string): Promise<void> {
    const last = this.lastWrites.get(option);
    return last ? last.then(() => undefined) : Promise.resolve();
  }

  /** Resolves when every write made so far has reached the database (PostgreSQL; at once on SQLite). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private replace(rows: Map<string, string>, version: number): void {
    const cache = new Map<string, unknown>();
    for (const [name, json] of rows) cache.set(name, JSON.parse(json));
    // A write of ours still in flight is newer than what was read.
    for (const [name, v] of this.pendingValues) {
      if (v) cache.set(name, v.value);
      else cache.delete(name);
    }
    this.cache = cache;
    this.version = version;
  }

  /**
   * Writes through: synchronously on SQLite (returns whether a row changed; an upsert always
   * does), else in the background (returns true). Updates are upserts: a cache a moment behind
   * another process (which added or deleted the option since) must not turn the write into nothing.
   */
  private persist(kind: 'insert' | 'upsert' | 'delete', option: string, value?: unknown): boolean {
    const json = kind === 'delete' ? '' : encode(option, value);
    if (this.store.sync) {
      // Our own commits do not move this connection's data_version, so they cause no reload.
      if (kind === 'upsert') return this.store.upsertSync(option, json), true;
      return kind === 'insert' ? this.store.insertSync(option, json) : this.store.deleteSync(option);
    }
    this.pendingValues.set(option, kind === 'delete' ? null : { value: clone(value) });
    const send = (): Promise<unknown> => (kind === 'insert' ? this.store.insert(option, json) : kind === 'upsert' ? this.store.upsert(option, json) : this.store.delete(option));
    // After the previous write of this option (each runs on a pooled connection of its own):
    // two writes in flight would otherwise commit in either order, and the older value win.
    const previous = this.lastWrites.get(option);
    const attempt: Promise<unknown> = previous ? previous.then(send, send) : send();
    this.lastWrites.set(option, attempt);
    const forget = () => void (this.lastWrites.get(option) === attempt && this.lastWrites.delete(option));
    attempt.then(forget, forget);
    // The request (or CLI command) that wrote is answered only once the write is committed; a
    // failure answers it 503 (core/http/unit-of-work.ts) as well as reloading the cache below.
    currentUnitOfWork()?.defer(attempt);
    const write = attempt.then(
      () => void this.settledWrites++,
      async (error: unknown) => {
        this.settledWrites++;
        this.logger?.error({ err: error, option }, 'writing a network option failed; reloading options');
        this.pendingValues.delete(option);
        this.version = -1;
        await this.refresh().catch(() => undefined);
      },
    );
    const tracked = write.finally(() => {
      this.pending.delete(tracked);
      if (!this.pending.size) this.pendingValues.clear();
    });
    this.pending.add(tracked);
    return true;
  }

  get_site_option<T = unknown>(option: string, defaultValue: unknown = false): T {
    assertName(option);
    const pre = this.hooks.apply_filters(`pre_site_option_${option}`, false, option, NETWORK_ID, defaultValue);
    if (pre !== false) return pre as T;
    let value: unknown;
    const raw = this.cached(option);
    if (raw === undefined) {
      value = this.hooks.apply_filters(`default_site_option_${option}`, defaultValue, option, NETWORK_ID);
    } else {
      value = raw;
    }
    return this.hooks.apply_filters(`site_option_${option}`, value, option, NETWORK_ID) as T;
  }

  add_site_option(option: string, value: unknown): boolean {
    return this.add(option, value, 'insert');
  }

  /** add_site_option; from update_site_option (`upsert`) it sets the option even if another process added it since. */
  private add(option: string, value: unknown, kind: 'insert' | 'upsert'): boolean {
    assertName(option);
    // sanitize_option(): register_setting's sanitize callbacks hook here, as in WordPress.
    value = this.hooks.apply_filters(`sanitize_option_${option}`, value, option, value);
    value = this.hooks.apply_filters(`pre_add_site_option_${option}`, value, option, NETWORK_ID);
    if (this.cached(option) !== undefined) return false;
    if (!this.persist(kind, option, value)) return false;
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
    if (oldValue === false) return this.add(option, value, 'upsert');
    this.persist('upsert', option, value);
    this.cache.set(option, clone(value));
    this.hooks.do_action(`update_site_option_${option}`, option, value, oldValue, NETWORK_ID);
    this.hooks.do_action('update_site_option', option, value, oldValue, NETWORK_ID);
    return true;
  }

  delete_site_option(option: string): boolean {
    assertName(option);
    this.hooks.do_action(`pre_delete_site_option_${option}`, option, NETWORK_ID);
    // SQLite asks the database (another process may have added it since); PostgreSQL goes by the cache.
    if (!this.store.sync && !this.cache.has(option)) return false;
    if (!this.persist('delete', option)) return false;
    this.cache.delete(option);
    this.hooks.do_action(`delete_site_option_${option}`, option, NETWORK_ID);
    this.hooks.do_action('delete_site_option', option, NETWORK_ID);
    return true;
  }

  /** The cached value (a fresh copy, so callers cannot corrupt the cache), or undefined. */
  private cached(option: string): unknown {
    return this.cache.has(option) ? clone(this.cache.get(option)) : undefined;
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
