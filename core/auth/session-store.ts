import session from 'express-session';
import type { Db } from '../db/database.js';
import type { Clock } from '../config.js';

const DEFAULT_TTL_MS = 2 * 24 * 60 * 60 * 1000;

/**
 * express-session store in SQLite, so sessions survive restarts. No maintained store
 * supports better-sqlite3 12, and this one is small: get/set/destroy/touch plus a
 * bounded purge of expired rows.
 */
export class SqliteSessionStore extends session.Store {
  private readonly getStmt;
  private readonly setStmt;
  private readonly destroyStmt;
  private readonly touchStmt;
  private readonly purgeStmt;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    super();
    this.getStmt = db.prepare('SELECT data, expires FROM sessions WHERE sid = ?');
    this.setStmt = db.prepare(
      'INSERT INTO sessions (sid, data, expires) VALUES (?, ?, ?) ON CONFLICT(sid) DO UPDATE SET data = excluded.data, expires = excluded.expires',
    );
    this.destroyStmt = db.prepare('DELETE FROM sessions WHERE sid = ?');
    this.touchStmt = db.prepare('UPDATE sessions SET expires = ? WHERE sid = ?');
    this.purgeStmt = db.prepare('DELETE FROM sessions WHERE rowid IN (SELECT rowid FROM sessions WHERE expires < ? LIMIT 500)');
  }

  override get(sid: string, cb: (err: unknown, session?: session.SessionData | null) => void): void {
    try {
      const row = this.getStmt.get(sid) as { data: string; expires: number } | undefined;
      if (!row || row.expires < this.clock()) return cb(null, null);
      cb(null, JSON.parse(row.data) as session.SessionData);
    } catch (error) {
      cb(error);
    }
  }

  override set(sid: string, data: session.SessionData, cb?: (err?: unknown) => void): void {
    try {
      this.setStmt.run(sid, JSON.stringify(data), this.expiry(data));
      cb?.();
    } catch (error) {
      cb?.(error);
    }
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    try {
      this.destroyStmt.run(sid);
      cb?.();
    } catch (error) {
      cb?.(error);
    }
  }

  /** Extends a session's expiry; a storage fault goes to `cb` (express-session passes it to the error handler: 503), never thrown. */
  override touch(sid: string, data: session.SessionData, cb?: (err?: unknown) => void): void {
    try {
      this.touchStmt.run(this.expiry(data), sid);
    } catch (error) {
      return cb?.(error);
    }
    cb?.();
  }

  /** Deletes up to 500 expired sessions; returns how many. */
  purgeExpired(): number {
    return this.purgeStmt.run(this.clock()).changes;
  }

  private expiry(data: session.SessionData): number {
    const maxAge = data.cookie?.originalMaxAge;
    return this.clock() + (typeof maxAge === 'number' ? maxAge : DEFAULT_TTL_MS);
  }
}
