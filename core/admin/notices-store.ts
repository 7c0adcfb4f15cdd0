import { QueryLayerStore } from '../db/sync-face.js';
import type { NoticeType, PersistentNotice } from './notices.js';

/**
 * Data layer of persistent admin notices (table `admin_notices`, core schema v6): one row per
 * notice, so notices added or dismissed by several processes at once never overwrite each other
 * (a list kept in one option would lose one of two concurrent adds). Asynchronous methods work
 * on both backends; the `…Sync` ones run the same queries on the synchronous SQLite handle.
 */
export class NoticesStore extends QueryLayerStore {
  /** Every notice, oldest first. */
  async list(): Promise<PersistentNotice[]> {
    return (await this.listQuery().execute()).map(toNotice);
  }

  /** Adds a notice, replacing one with the same id (which then counts as new). */
  async put(notice: PersistentNotice): Promise<void> {
    await this.putQuery(notice).execute();
  }

  /** Deletes one; false when there was none. */
  async delete(id: string): Promise<boolean> {
    return Number((await this.deleteQuery(id).executeTakeFirst()).numDeletedRows) > 0;
  }

  listSync(): PersistentNotice[] {
    return this.now<Row>(this.listQuery()).rows.map(toNotice);
  }

  putSync(notice: PersistentNotice): void {
    this.now(this.putQuery(notice));
  }

  deleteSync(id: string): boolean {
    return this.now(this.deleteQuery(id)).changes > 0;
  }

  private listQuery() {
    return this.db.selectFrom('admin_notices').selectAll().orderBy('seq');
  }

  private putQuery(n: PersistentNotice) {
    const row = { id: n.id, type: n.type, message: n.message, link: n.link ? JSON.stringify(n.link) : null, created: n.created };
    // A replaced notice moves to the end, as the option's list did: delete-then-insert in one statement is not portable, so a new seq comes from the upsert.
    return this.db
      .insertInto('admin_notices')
      .values({ ...row, seq: this.nextSeq() })
      .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, seq: this.nextSeq() }));
  }

  private nextSeq() {
    return this.db.selectFrom('admin_notices').select((eb) => eb(eb.fn.coalesce(eb.fn.max('seq'), eb.lit(0)), '+', 1).as('next'));
  }

  private deleteQuery(id: string) {
    return this.db.deleteFrom('admin_notices').where('id', '=', id);
  }
}

type Row = { id: string; type: string; message: string; link: string | null; created: number; seq: number };

function toNotice(r: Row): PersistentNotice {
  const notice: PersistentNotice = { id: r.id, type: r.type as NoticeType, message: r.message, created: Number(r.created) };
  if (r.link) notice.link = JSON.parse(r.link) as PersistentNotice['link'];
  return notice;
}
