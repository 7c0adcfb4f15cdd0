import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import { executeSync } from '../db/query-layer.js';
import { withoutQueryTimeout } from '../db/query-timeout.js';
import type { CoreTables } from '../db/tables.js';

export interface CronRow {
  id: number;
  hook: string;
  args: string;
  /** Due time, unix seconds (as WordPress stores it). */
  timestamp: number;
  schedule: string | null;
  interval: number | null;
}

/**
 * Data layer of scheduled events, written once on the query layer. The runner's calls are
 * asynchronous and work on both backends; WordPress's synchronous schedule API
 * (`wp_schedule_event` & co.) uses the `…Sync` methods, which run the same queries on the
 * host's synchronous SQLite handle (until the per-request unit of work makes them backend-free).
 */
export class CronStore {
  constructor(
    private readonly db: Kysely<CoreTables>,
    /** SQLite: the synchronous handle on the same connection; absent on PostgreSQL. */
    private readonly sync?: Db,
  ) {}

  // The runner (both backends)

  async insert(r: Omit<CronRow, 'id'>): Promise<number> {
    return (await this.insertQuery(r).executeTakeFirstOrThrow()).id;
  }

  /**
   * Schedules a recurring event unless one with the same hook and args is already scheduled, as
   * wp_schedule_event refuses (WordPress's wp-includes/cron.php) — here the check and the insert
   * are one step across processes: on PostgreSQL under a transaction-scoped advisory lock on the
   * hook (two processes whose caches both lacked the event add it once), on SQLite under its
   * single writer. Returns the new event's id (`inserted`) or the one already there.
   */
  async insertRecurring(r: Omit<CronRow, 'id'>): Promise<{ id: number; inserted: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      // A wait for another process's insert, not a silent server: exempt from DB_QUERY_TIMEOUT_MS.
      if (!this.sync) await withoutQueryTimeout(() => sql`SELECT pg_advisory_xact_lock(hashtext(${`hookpress_cron:${r.hook}`}))`.execute(trx));
      const existing = await trx.selectFrom('cron_events').select('id').where('hook', '=', r.hook).where('args', '=', r.args).where('schedule', 'is not', null).orderBy('id').executeTakeFirst();
      if (existing) return { id: existing.id, inserted: false };
      const { id } = await trx.insertInto('cron_events').values(r).returning('id').executeTakeFirstOrThrow();
      return { id, inserted: true };
    });
  }

  async get(id: number): Promise<CronRow | undefined> {
    return this.db.selectFrom('cron_events').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Events due at `nowSeconds` (unix seconds), oldest first, at most `limit`. */
  async due(nowSeconds: number, limit: number): Promise<CronRow[]> {
    return this.db.selectFrom('cron_events').selectAll().where('timestamp', '<=', nowSeconds).orderBy('timestamp').orderBy('id').limit(limit).execute();
  }

  /** The earliest due time (unix seconds), or null when nothing is scheduled. */
  async next(): Promise<number | null> {
    const row = await this.db.selectFrom('cron_events').select((eb) => eb.fn.min('timestamp').as('t')).executeTakeFirst();
    return row?.t == null ? null : Number(row.t);
  }

  async all(): Promise<CronRow[]> {
    return this.allQuery().execute();
  }

  /**
   * Claims one run of a due event, as seen by `due()`: moves it to `nextTimestamp` (recurring)
   * or deletes it (single), only if it is still at the time it was seen. True for exactly one of
   * any number of processes claiming the same run (a compare-and-set on the row), so each due
   * run fires once across processes; false when another process claimed it first.
   */
  async claim(row: Pick<CronRow, 'id' | 'timestamp'>, nextTimestamp: number | null): Promise<boolean> {
    if (nextTimestamp === null) {
      const r = await this.db.deleteFrom('cron_events').where('id', '=', row.id).where('timestamp', '=', row.timestamp).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    }
    const r = await this.db.updateTable('cron_events').set({ timestamp: nextTimestamp }).where('id', '=', row.id).where('timestamp', '=', row.timestamp).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Removes one event; false when there was none. */
  async remove(id: number): Promise<boolean> {
    return Number((await this.db.deleteFrom('cron_events').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;
  }

  /** True when the `…Sync` methods work (SQLite: a synchronous handle on the same connection). */
  get synchronous(): boolean {
    return this.sync !== undefined;
  }

  // WordPress's synchronous schedule API (SQLite)

  insertSync(r: Omit<CronRow, 'id'>): number {
    return this.now<{ id: number }>(this.insertQuery(r)).rows[0]!.id;
  }

  findSync(hook: string, args: string): CronRow[] {
    return this.now<CronRow>(this.db.selectFrom('cron_events').selectAll().where('hook', '=', hook).where('args', '=', args).orderBy('timestamp').orderBy('id')).rows;
  }

  byHookSync(hook: string): CronRow[] {
    return this.now<CronRow>(this.db.selectFrom('cron_events').selectAll().where('hook', '=', hook).orderBy('timestamp').orderBy('id')).rows;
  }

  deleteSync(id: number): boolean {
    return this.now(this.db.deleteFrom('cron_events').where('id', '=', id)).changes > 0;
  }

  deleteAtSync(timestamp: number, hook: string, args: string): boolean {
    return this.now(this.db.deleteFrom('cron_events').where('timestamp', '=', timestamp).where('hook', '=', hook).where('args', '=', args)).changes > 0;
  }

  allSync(): CronRow[] {
    return this.now<CronRow>(this.allQuery()).rows;
  }

  private insertQuery(r: Omit<CronRow, 'id'>) {
    return this.db.insertInto('cron_events').values(r).returning('id');
  }

  private allQuery() {
    return this.db.selectFrom('cron_events').selectAll().orderBy('timestamp').orderBy('id');
  }

  private now<R>(query: Parameters<typeof executeSync>[1]): { rows: R[]; changes: number } {
    if (!this.sync) throw new Error('The synchronous cron API needs SQLite; on PostgreSQL it waits for the per-request unit of work (issue 13).');
    return executeSync<R>(this.sync, query);
  }
}
