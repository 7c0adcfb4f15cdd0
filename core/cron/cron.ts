import { isStorageError } from '../db/storage-errors.js';
import { HookpressError } from '../errors.js';
import type { CoreErrorCode } from '../error-codes.js';
import type { Logger } from 'pino';
import type { Clock } from '../config.js';
import type { Hooks } from '../hooks/index.js';
import type { CronStore, CronRow } from './cron-store.js';
import { CronCache, type CronSyncFace } from './cron-cache.js';

export interface Schedule {
  interval: number;
  display: string;
}

const HOUR = 3600;

/** A bad call to the cron API; codes CRON_* in core/error-codes.ts. */
export class CronError extends HookpressError<CoreErrorCode> {
  constructor(code: CoreErrorCode, message: string) {
    super(code, message);
    this.name = 'CronError';
  }
}

export interface ScheduledEvent {
  id: number;
  hook: string;
  args: unknown[];
  timestamp: number;
  schedule: string | false;
  interval?: number;
}

/**
 * WordPress's cron API, persisted in the database and run by the host's own scheduler (not by
 * page views). Timestamps are unix seconds, as in WordPress. An event that fell due while the
 * host was down fires once when it is back; a recurring one is then rescheduled on its
 * interval, as wp_reschedule_event() does. Several host processes on one database each run the
 * scheduler; each due run fires in exactly one of them (CronStore.claim).
 */
export class Cron {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking: Promise<number> | null = null;
  /** What the synchronous schedule API reads and writes: the store (SQLite) or a cache of it (PostgreSQL). */
  private readonly face: CronSyncFace;
  private readonly cache: CronCache | undefined;

  constructor(
    private readonly store: CronStore,
    private readonly hooks: Hooks,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.cache = store.synchronous ? undefined : new CronCache(store, logger);
    this.face = this.cache ?? store;
  }

  /**
   * PostgreSQL: loads the schedule into the cache the synchronous API reads (CronCache); the
   * host calls it at start, the scheduler after each tick. Nothing to do on SQLite.
   */
  async load(): Promise<void> {
    await this.cache?.load();
  }

  /** PostgreSQL: resolves once the synchronous API's writes so far are in the database (failed ones logged). */
  async flush(): Promise<void> {
    await this.cache?.flush();
  }

  /** hourly, twicedaily, daily, weekly, plus whatever `cron_schedules` adds. */
  wp_get_schedules(): Record<string, Schedule> {
    const base: Record<string, Schedule> = {
      hourly: { interval: HOUR, display: 'Once Hourly' },
      twicedaily: { interval: 12 * HOUR, display: 'Twice Daily' },
      daily: { interval: 24 * HOUR, display: 'Once Daily' },
      weekly: { interval: 7 * 24 * HOUR, display: 'Once Weekly' },
    };
    const filtered = this.hooks.apply_filters('cron_schedules', base) as Record<string, Schedule>;
    return filtered && typeof filtered === 'object' ? filtered : base;
  }

  wp_schedule_single_event(timestamp: number, hook: string, args: unknown[] = []): boolean {
    this.check(timestamp, hook, args);
    const key = JSON.stringify(args);
    // WordPress refuses a duplicate of the same event within 10 minutes.
    if (this.face.findSync(hook, key).some((r) => r.schedule === null && Math.abs(r.timestamp - timestamp) < 600)) return false;
    this.face.insertSync({ hook, args: key, timestamp: Math.floor(timestamp), schedule: null, interval: null });
    this.wake();
    return true;
  }

  wp_schedule_event(timestamp: number, recurrence: string, hook: string, args: unknown[] = []): boolean {
    this.check(timestamp, hook, args);
    const schedule = this.wp_get_schedules()[recurrence];
    if (!schedule) throw new CronError('CRON_INVALID_SCHEDULE', `"${recurrence}" is not a cron schedule; use one of ${Object.keys(this.wp_get_schedules()).join(', ')}.`);
    const key = JSON.stringify(args);
    if (this.face.findSync(hook, key).some((r) => r.schedule !== null)) return false;
    this.face.insertSync({ hook, args: key, timestamp: Math.floor(timestamp), schedule: recurrence, interval: schedule.interval });
    this.wake();
    return true;
  }

  /** The next time (unix seconds) the event is scheduled, or false. */
  wp_next_scheduled(hook: string, args: unknown[] = []): number | false {
    const rows = this.face.findSync(hook, JSON.stringify(args));
    return rows.length ? rows[0]!.timestamp : false;
  }

  wp_unschedule_event(timestamp: number, hook: string, args: unknown[] = []): boolean {
    return this.face.deleteAtSync(timestamp, hook, JSON.stringify(args));
  }

  /** Unschedules every event of a hook (with these args, or all args when none are given); returns how many. */
  wp_clear_scheduled_hook(hook: string, args?: unknown[]): number {
    const rows = args === undefined ? this.face.byHookSync(hook) : this.face.findSync(hook, JSON.stringify(args));
    for (const r of rows) this.face.deleteSync(r.id);
    return rows.length;
  }

  list(): ScheduledEvent[] {
    return this.face.allSync().map(toEvent);
  }

  /** Runs one scheduled event now (Tools → Cron "Run now"); a recurring one keeps its schedule. */
  async runNow(id: number): Promise<boolean> {
    const row = await this.store.get(id);
    if (!row) return false;
    const error = await this.fire(row);
    // The admin asked for this run: a storage fault is theirs to see (503, try again), not only the log's.
    if (isStorageError(error)) throw error;
    return true;
  }

  /** Fires everything due now; returns how many events ran. Used by the scheduler and tests. */
  async runDue(): Promise<number> {
    if (this.ticking) await this.ticking;
    // PostgreSQL: the events the synchronous API scheduled so far are in the database before it is asked what is due.
    this.ticking = this.flushed().then(() => this.tick());
    try {
      return await this.ticking;
    } finally {
      this.ticking = null;
      // PostgreSQL: the runs just claimed (and other processes' changes) into the cache.
      await this.cache?.load().catch((error: unknown) => this.logger.warn({ err: error }, 'reloading the cron schedule failed'));
    }
  }

  start(): void {
    this.running = true;
    this.wake();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }

  private async tick(): Promise<number> {
    let ran = 0;
    for (;;) {
      const now = Math.floor(this.clock() / 1000);
      const due = await this.store.due(now, 100);
      if (!due.length) return ran;
      for (const row of due) {
        // Reschedule (or remove) before running, so a crash mid-run never fires it twice; only
        // if it is still as we saw it, so of several processes exactly one runs it.
        const next = row.schedule && row.interval ? nextRun(row.timestamp, row.interval, now) : null;
        if (!(await this.store.claim(row, next))) continue;
        await this.fire(row);
        ran++;
      }
    }
  }

  /** PostgreSQL: the cache's writes so far are in the database (a failed one is logged; never rejects). */
  private async flushed(): Promise<void> {
    await this.cache?.flush();
  }

  /** Runs an event's callbacks; an error is logged and returned, never thrown. */
  private async fire(row: CronRow): Promise<unknown> {
    const args = JSON.parse(row.args) as unknown[];
    try {
      await this.hooks.do_action_async(row.hook, ...args);
      return undefined;
    } catch (error) {
      this.logger.error({ err: error, hook: row.hook }, 'scheduled event failed');
      return error;
    }
  }

  private wake(): void {
    if (!this.running) return;
    // PostgreSQL: after the event just scheduled has reached the database, or it would not be seen.
    this.flushed().then(() => this.store.next()).then(
      (next) => this.sleepUntil(next),
      (error: unknown) => {
        // A timer must never throw (it would end the process): look again in a minute.
        this.logger.error({ err: error }, 'reading the cron schedule failed; retrying in a minute');
        this.sleepUntil(Math.floor(this.clock() / 1000) + 60);
      },
    );
  }

  private sleepUntil(next: number | null): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    if (next === null) return;
    const wait = Math.min(Math.max(0, next * 1000 - this.clock()), 60_000);
    this.timer = setTimeout(() => {
      this.runDue().then(
        () => this.wake(),
        (error: unknown) => {
          this.logger.error({ err: error }, 'cron tick failed');
          this.wake();
        },
      );
    }, wait);
    this.timer.unref();
  }

  private check(timestamp: number, hook: string, args: unknown[]): void {
    if (!Number.isFinite(timestamp) || timestamp <= 0) throw new CronError('CRON_INVALID_TIME', 'A cron timestamp must be a positive number of unix seconds.');
    if (typeof hook !== 'string' || !hook) throw new CronError('CRON_INVALID_HOOK', 'A cron hook must be a non-empty string.');
    if (!Array.isArray(args)) throw new CronError('CRON_INVALID_ARGS', 'Cron args must be an array.');
  }
}

/** wp_reschedule_event(): the next run after `now` on the event's interval grid. */
export function nextRun(timestamp: number, interval: number, now: number): number {
  if (timestamp >= now) return now + interval;
  return now + (interval - ((now - timestamp) % interval));
}

function toEvent(r: CronRow): ScheduledEvent {
  return { id: r.id, hook: r.hook, args: JSON.parse(r.args) as unknown[], timestamp: r.timestamp, schedule: r.schedule ?? false, interval: r.interval ?? undefined };
}
