import type pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { CACHE_CHANNEL, OPTIONS_CACHE } from './options-store.js';
import type { SiteOptions } from './site-options.js';

/** How often a process looks for other processes' option writes, in ms (the "within 1 s" bound). */
export const OPTIONS_POLL_MS = 500;

export type OptionsSyncSource = { sqlite: Db } | { postgresUrl: string };

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
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly options: SiteOptions,
    private readonly source: OptionsSyncSource,
    private readonly logger?: Logger,
    private readonly pollMs = OPTIONS_POLL_MS,
  ) {
    if ('sqlite' in source) this.dataVersion = this.readDataVersion();
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

  /** SQLite: reloads now if another connection committed an option write since the last look. */
  check(): void {
    if (!('sqlite' in this.source)) return;
    const now = this.readDataVersion();
    if (now === this.dataVersion) return;
    this.dataVersion = now;
    if (this.options.refreshSync()) this.reloaded();
  }

  /** One look, on either backend; errors are logged (a timer must never throw). */
  async poll(): Promise<void> {
    try {
      if ('sqlite' in this.source) this.check();
      else if (await this.options.refresh()) this.reloaded();
    } catch (error) {
      this.logger?.warn({ err: error }, 'checking for option changes failed; trying again');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
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

  private async listen(): Promise<void> {
    const { postgresUrl } = this.source as { postgresUrl: string };
    const { default: driver } = await import('pg');
    const client = new driver.Client({ connectionString: postgresUrl });
    // Our own writes notify us too: the version check then finds the cache current or reloads once.
    client.on('notification', (msg) => {
      if (msg.payload === OPTIONS_CACHE) void this.poll();
    });
    client.on('error', (error) => {
      // The connection dropped (server restart): the poll covers the gap; listen again shortly.
      this.logger?.warn({ err: error }, 'option change listener lost its connection; reconnecting');
      this.listener = undefined;
      client.end().catch(() => undefined);
      if (!this.stopped) setTimeout(() => void this.listen().catch(() => undefined), this.pollMs).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CACHE_CHANNEL}`);
    if (this.stopped) return void (await client.end());
    this.listener = client;
    await this.poll();
  }
}
