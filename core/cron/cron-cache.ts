import type { Logger } from 'pino';
import { currentUnitOfWork } from '../http/unit-of-work.js';
import type { CronRow, CronStore } from './cron-store.js';

/** The synchronous calls WordPress's schedule API (`wp_schedule_event` & co.) makes on its store. */
export type CronSyncFace = Pick<CronStore, 'insertSync' | 'findSync' | 'byHookSync' | 'deleteSync' | 'deleteAtSync' | 'allSync'>;

/**
 * The synchronous schedule API on PostgreSQL: the scheduled events held in a per-process cache
 * (`load()` at start and after each scheduler tick), read synchronously; writes change the cache
 * at once (read-your-writes) and go to the database in the background, in order, each one
 * registered with the running unit of work (the request is answered once it is committed; see
 * core/http/unit-of-work.ts). A new event has a negative id until its INSERT returns the real
 * one. A failed write is logged and the cache reloaded from the database.
 * Other processes' schedule changes are seen at the next `load()` (the scheduler's tick, at most
 * a minute apart); a recurring event two processes schedule at once is stored once
 * (CronStore.insertRecurring).
 */
export class CronCache implements CronSyncFace {
  private rows: CronRow[] = [];
  private writes: Promise<void> = Promise.resolve();
  private tempIds = 0;

  constructor(
    private readonly store: CronStore,
    private readonly logger: Logger,
  ) {}

  /** Replaces the cache with the database's events (after the writes in flight). */
  async load(): Promise<void> {
    await this.flush();
    this.rows = await this.store.all();
  }

  /** Resolves once every write made so far has reached the database (failed ones logged). */
  async flush(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.writes;
      await seen;
    } while (seen !== this.writes);
  }

  insertSync(r: Omit<CronRow, 'id'>): number {
    const row: CronRow = { id: -++this.tempIds, ...r };
    this.rows.push(row);
    this.stage(async () => {
      if (r.schedule === null) {
        row.id = await this.store.insert(r);
        return;
      }
      // Another process may have scheduled the same recurring event since our last load: the
      // database keeps one, and the cache takes the database's schedule.
      const { id, inserted } = await this.store.insertRecurring(r);
      row.id = id;
      if (!inserted) this.rows = await this.store.all();
    });
    return row.id;
  }

  findSync(hook: string, args: string): CronRow[] {
    return this.sorted(this.rows.filter((r) => r.hook === hook && r.args === args));
  }

  byHookSync(hook: string): CronRow[] {
    return this.sorted(this.rows.filter((r) => r.hook === hook));
  }

  deleteSync(id: number): boolean {
    const row = this.rows.find((r) => r.id === id);
    return row ? this.remove([row]) : false;
  }

  deleteAtSync(timestamp: number, hook: string, args: string): boolean {
    return this.remove(this.rows.filter((r) => r.timestamp === timestamp && r.hook === hook && r.args === args));
  }

  allSync(): CronRow[] {
    return this.sorted(this.rows);
  }

  private remove(rows: CronRow[]): boolean {
    if (!rows.length) return false;
    this.rows = this.rows.filter((r) => !rows.includes(r));
    // Read `row.id` when the delete runs: an insert staged before it has set the real id by then.
    this.stage(async () => {
      for (const row of rows) await this.store.remove(row.id);
    });
    return true;
  }

  private stage(write: () => Promise<void>): void {
    const run = this.writes.then(write);
    this.writes = run.catch(async (error: unknown) => {
      this.logger.error({ err: error }, 'writing a scheduled event failed; reloading the schedule');
      this.rows = await this.store.all().catch(() => this.rows);
    });
    currentUnitOfWork()?.defer(run);
  }

  private sorted(rows: CronRow[]): CronRow[] {
    return [...rows].sort((a, b) => a.timestamp - b.timestamp || a.id - b.id);
  }
}
