import session from 'express-session';
import type { Kysely } from 'kysely';
import type { Clock } from '../config.js';
import type { CoreTables } from '../db/tables.js';

const DEFAULT_TTL_MS = 2 * 24 * 60 * 60 * 1000;

/**
 * express-session store in the database (table `sessions`, on the query layer), so sessions
 * survive restarts and any host process can serve any request. The maintained stores are each
 * tied to one database driver (connect-pg-simple to `pg`, the SQLite ones to drivers other than
 * better-sqlite3 12); this one is small and runs on both backends: get/set/destroy/touch plus
 * a bounded purge of expired rows.
 */
export class DatabaseSessionStore extends session.Store {
  constructor(
    private readonly db: Kysely<CoreTables>,
    private readonly clock: Clock,
  ) {
    super();
  }

  override get(sid: string, cb: (err: unknown, session?: session.SessionData | null) => void): void {
    this.db
      .selectFrom('sessions')
      .select(['data', 'expires'])
      .where('sid', '=', sid)
      .executeTakeFirst()
      .then((row) => {
        let data: session.SessionData | null;
        try {
          data = !row || row.expires < this.clock() ? null : (JSON.parse(row.data) as session.SessionData);
        } catch (error) {
          return cb(error);
        }
        cb(null, data);
      }, cb);
  }

  override set(sid: string, data: session.SessionData, cb?: (err?: unknown) => void): void {
    const row = { sid, data: JSON.stringify(data), expires: this.expiry(data) };
    this.db
      .insertInto('sessions')
      .values(row)
      .onConflict((oc) => oc.column('sid').doUpdateSet({ data: row.data, expires: row.expires }))
      .execute()
      .then(() => cb?.(), (error: unknown) => cb?.(error));
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.db
      .deleteFrom('sessions')
      .where('sid', '=', sid)
      .execute()
      .then(() => cb?.(), (error: unknown) => cb?.(error));
  }

  /** Extends a session's expiry; a storage fault goes to `cb` (express-session passes it to the error handler: 503), never thrown. */
  override touch(sid: string, data: session.SessionData, cb?: (err?: unknown) => void): void {
    this.db
      .updateTable('sessions')
      .set({ expires: this.expiry(data) })
      .where('sid', '=', sid)
      .execute()
      .then(() => cb?.(), (error: unknown) => cb?.(error));
  }

  /** Deletes up to 500 expired sessions; returns how many. */
  async purgeExpired(): Promise<number> {
    const batch = this.db.selectFrom('sessions').select('sid').where('expires', '<', this.clock()).limit(500);
    const r = await this.db.deleteFrom('sessions').where('sid', 'in', batch).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  private expiry(data: session.SessionData): number {
    const maxAge = data.cookie?.originalMaxAge;
    return this.clock() + (typeof maxAge === 'number' ? maxAge : DEFAULT_TTL_MS);
  }
}
