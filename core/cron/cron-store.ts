import type { Db } from '../db/database.js';

export interface CronRow {
  id: number;
  hook: string;
  args: string;
  /** Due time, unix seconds (as WordPress stores it). */
  timestamp: number;
  schedule: string | null;
  interval: number | null;
}

/** Data layer of scheduled events. */
export class CronStore {
  constructor(private readonly db: Db) {}

  insert(r: Omit<CronRow, 'id'>): number {
    return Number(
      this.db.prepare('INSERT INTO cron_events (hook, args, timestamp, schedule, interval) VALUES (?, ?, ?, ?, ?)').run(r.hook, r.args, r.timestamp, r.schedule, r.interval)
        .lastInsertRowid,
    );
  }

  find(hook: string, args: string): CronRow[] {
    return this.db.prepare('SELECT * FROM cron_events WHERE hook = ? AND args = ? ORDER BY timestamp, id').all(hook, args) as CronRow[];
  }

  byHook(hook: string): CronRow[] {
    return this.db.prepare('SELECT * FROM cron_events WHERE hook = ? ORDER BY timestamp, id').all(hook) as CronRow[];
  }

  get(id: number): CronRow | undefined {
    return this.db.prepare('SELECT * FROM cron_events WHERE id = ?').get(id) as CronRow | undefined;
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM cron_events WHERE id = ?').run(id).changes > 0;
  }

  deleteAt(timestamp: number, hook: string, args: string): boolean {
    return this.db.prepare('DELETE FROM cron_events WHERE timestamp = ? AND hook = ? AND args = ?').run(timestamp, hook, args).changes > 0;
  }

  reschedule(id: number, timestamp: number): void {
    this.db.prepare('UPDATE cron_events SET timestamp = ? WHERE id = ?').run(timestamp, id);
  }

  due(nowSeconds: number, limit: number): CronRow[] {
    return this.db.prepare('SELECT * FROM cron_events WHERE timestamp <= ? ORDER BY timestamp, id LIMIT ?').all(nowSeconds, limit) as CronRow[];
  }

  next(): number | null {
    return (this.db.prepare('SELECT MIN(timestamp) AS t FROM cron_events').get() as { t: number | null }).t;
  }

  all(): CronRow[] {
    return this.db.prepare('SELECT * FROM cron_events ORDER BY timestamp, id').all() as CronRow[];
  }
}
