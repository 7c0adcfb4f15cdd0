import type pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { CACHE_CHANNEL, OPTIONS_CACHE, type OptionsStore } from './options-store.js';
import type { SiteOptions } from './site-options.js';

/** How often a process looks for other processes' option writes, in ms (the "within 1 s" bound). */
export const OPTIONS_POLL_MS = 500;

/**
 * Where other processes' writes are seen. SQLite: the connection (its data_version). PostgreSQL:
 * the server to LISTEN on, and the reader of `cache_versions` rows (the options store) the poll
 * reads every followed cache's version through, in one query.
 */
export type OptionsSyncSource = { sqlite: Db } | { postgresUrl: string; versions: Pick<OptionsStore, 'cacheVersions'> };

/** Bounds of the waits between attempts to LISTEN again after the connection dropped, in ms (doubling). */
export interface ListenRetry {
  firstMs: number;
  maxMs: number;
}

/** What happened to the PostgreSQL listening connection (for logs and tests). */
export type ListenState = 'listening' | 'lost' | 'retry-failed';

/** The longest wait between two attempts to listen again: an outage of any length ends within it. */
export const LISTEN_RETRY_MAX_MS = 30_000;

/**
 * Brings other processes' option writes (a super admin revoked through another host process, a
 * setting changed with the CLI) into this process's options cache:
 * - SQLite: `PRAGMA data_version` changes when another connection commits; checked at the
 *   start of every request (`check()`, about a microsecond when nothing changed) and every
 *   OPTIONS_POLL_MS. Only then is the options version read, and the options reloaded if it moved.
 * - PostgreSQL: LISTEN on the cache channel (writers NOTIFY on commit), plus the version checked
 *   every OPTIONS_POLL_MS in case a notification was missed (the listening connection dropped).
 */
export class OptionsSync {
  private dataVersion = -1;
  private timer: NodeJS.Timeout | undefined;
  private listener: pg.Client | undefined;
  private stopped = false;
  /** Looks and cache refreshes in progress (stop() waits for them). */
  private readonly running = new Set<Promise<void>>();
  private readonly listeners = new Set<() => void>();
  /** PostgreSQL: other caches kept current the same way, by notification payload (cache_versions name). */
  private readonly followers = new Map<string, (version: number) => Promise<unknown>>();
  private readonly stateListeners = new Set<(state: ListenState) => void>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;

  constructor(
    private readonly options: SiteOptions,
    private readonly source: OptionsSyncSource,
    private readonly logger?: Logger,
    private readonly pollMs = OPTIONS_POLL_MS,
    private readonly retry: ListenRetry = { firstMs: OPTIONS_POLL_MS, maxMs: LISTEN_RETRY_MAX_MS },
  ) {
    if ('sqlite' in source) this.dataVersion = this.readDataVersion();
    this.retryMs = retry.firstMs;
  }

  /**
   * PostgreSQL: calls `listener` when the listening connection is up (`listening`), drops
   * (`lost`), or an attempt to listen again fails (`retry-failed`; the next comes after a
   * doubling wait, at most `retry.maxMs`). Returns the function that unsubscribes it.
   */
  onListenState(listener: (state: ListenState) => void): () => void {
    this.stateListeners.add(listener);
    return () => void this.stateListeners.delete(listener);
  }

  /** Starts polling (and on PostgreSQL listening). The timer never keeps the process alive. */
  async start(): Promise<void> {
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
    if ('postgresUrl' in this.source) await this.listen();
  }

  /**
   * Calls `listener` after each reload of the options cache caused by another process's write
   * (on PostgreSQL also after this process's own writes come back as a notification): the cache
   * already holds the new values when it runs. A listener that throws is logged and the others
   * still run. Returns the function that unsubscribes it.
   */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * PostgreSQL: keeps another per-process cache current like the options — `refresh` runs on
   * each notification whose payload is `name` (its cache_versions row) and at every poll, with
   * that row's version just read (0 without a row; the poll reads every followed row in one
   * query); it compares the version with its own. Errors are logged. Nothing on SQLite (caches
   * there read the database).
   */
  follow(name: string, refresh: (version: number) => Promise<unknown>): void {
    this.followers.set(name, refresh);
  }

  /** SQLite: reloads now if another connection committed an option write since the last look. */
  check(): void {
    if (!('sqlite' in this.source)) return;
    const now = this.readDataVersion();
    if (now === this.dataVersion) return;
    this.dataVersion = now;
    if (this.options.refreshSync()) this.reloaded();
  }

  /**
   * One look, on either backend; errors are logged (a timer must never throw). PostgreSQL: one
   * query reads the versions of the options and of every followed cache, and each cache
   * reloads only when its version moved. Nothing once stopped; stop() waits for a look in
   * progress, so none queries a pool that is closing.
   */
  poll(): Promise<void> {
    return this.track(async () => {
      if ('sqlite' in this.source) {
        try {
          this.check();
        } catch (error) {
          this.logger?.warn({ err: error }, 'checking for option changes failed; trying again');
        }
        return;
      }
      await this.look([OPTIONS_CACHE, ...this.followers.keys()]);
    });
  }

  /** Runs `fn` unless stopped, remembered until it settles (stop() waits for it). */
  private track(fn: () => Promise<void>): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const run = fn().finally(() => this.running.delete(run));
    this.running.add(run);
    return run;
  }

  /** PostgreSQL: reads the versions of the caches `names` in one query, and hands each its own. */
  private async look(names: string[]): Promise<void> {
    let versions: Map<string, number>;
    try {
      versions = await (this.source as { versions: Pick<OptionsStore, 'cacheVersions'> }).versions.cacheVersions(names);
    } catch (error) {
      this.logger?.warn({ err: error }, 'checking for option changes failed; trying again');
      return;
    }
    for (const name of names) {
      const version = versions.get(name) ?? 0;
      if (name === OPTIONS_CACHE) await this.refreshOptions(version);
      else await this.refreshFollower(name, version);
    }
  }

  private async refreshOptions(version: number): Promise<void> {
    try {
      if (await this.options.refresh(version)) this.reloaded();
    } catch (error) {
      this.logger?.warn({ err: error }, 'checking for option changes failed; trying again');
    }
  }

  private async refreshFollower(name: string, version: number): Promise<void> {
    try {
      await this.followers.get(name)?.(version);
    } catch (error) {
      this.logger?.warn({ err: error, cache: name }, 'refreshing a cache failed; trying again');
    }
  }

  /**
   * Stops polling and listening, then waits for the looks and cache refreshes in progress (a
   * notification or a poll that began just before): after it resolves nothing here queries the
   * database, so the host may close its pool (a late query there failed as "driver has already
   * been destroyed" at the CLI's exit).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
    await Promise.all([...this.running]);
  }

  private reloaded(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.logger?.error({ err: error }, 'a listener of option changes failed');
      }
    }
  }

  private readDataVersion(): number {
    return (this.source as { sqlite: Db }).sqlite.pragma('data_version', { simple: true }) as number;
  }

  private emit(state: ListenState): void {
    for (const listener of [...this.stateListeners]) {
      try {
        listener(state);
      } catch (error) {
        this.logger?.error({ err: error }, 'a listener of the option listener state failed');
      }
    }
  }

  /**
   * Listens again after a wait that doubles with each failed attempt (retry.firstMs up to
   * retry.maxMs), for as long as the outage lasts; the poll keeps the cache within
   * OPTIONS_POLL_MS of the database meanwhile.
   */
  private relisten(): void {
    if (this.stopped || this.retryTimer) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.retry.maxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.listen().catch((error: unknown) => {
        this.logger?.warn({ err: error, retryInMs: this.retryMs }, 'listening for option changes failed; trying again');
        this.emit('retry-failed');
        this.relisten();
      });
    }, wait);
    this.retryTimer.unref();
  }

  private async listen(): Promise<void> {
    const { postgresUrl } = this.source as { postgresUrl: string };
    const { default: driver } = await import('pg');
    const client = new driver.Client({ connectionString: postgresUrl });
    // Our own writes notify us too: the version check then finds the cache current or reloads once.
    client.on('notification', (msg) => {
      if (msg.payload === OPTIONS_CACHE || (msg.payload && this.followers.has(msg.payload))) void this.track(() => this.look([msg.payload!]));
    });
    let lost = false;
    const onLost = (error?: Error) => {
      // The connection dropped (server restart, network): the poll covers the gap; listen again.
      if (lost) return;
      lost = true;
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger?.warn({ err: error }, 'option change listener lost its connection; reconnecting');
      this.emit('lost');
      this.relisten();
    };
    try {
      await client.connect();
      await client.query(`LISTEN ${CACHE_CHANNEL}`);
    } catch (error) {
      lost = true;
      await client.end().catch(() => undefined);
      throw error;
    }
    client.on('error', onLost);
    client.on('end', () => onLost());
    if (this.stopped) return void (await client.end());
    this.listener = client;
    this.retryMs = this.retry.firstMs;
    this.emit('listening');
    await this.poll();
  }
}
