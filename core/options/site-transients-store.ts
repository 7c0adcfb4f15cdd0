import { QueryLayerStore } from '../db/sync-face.js';

/** A stored transient: its value as JSON text and its expiry (unix seconds, null = none). */
export interface TransientRow {
  value: string;
  expires: number | null;
}

/**
 * Data layer of site transients (table `site_transients`, core schema v5): read and written
 * straight in the database by every process (WordPress's object-cache behaviour), so they
 * neither sit in nor churn the network options cache. Asynchronous methods work on both
 * backends; the `…Sync` ones run the same queries on the synchronous SQLite handle (WordPress's
 * synchronous `get_site_transient`) and throw on PostgreSQL.
 */
export class SiteTransientsStore extends QueryLayerStore {
  async get(name: string): Promise<TransientRow | undefined> {
    return this.getQuery(name).executeTakeFirst();
  }

  /** Stores (or replaces) a transient. */
  async set(name: string, value: string, expires: number | null): Promise<void> {
    await this.setQuery(name, value, expires).execute();
  }

  /** Deletes it; false when there was none. */
  async delete(name: string): Promise<boolean> {
    return Number((await this.deleteQuery(name).executeTakeFirst()).numDeletedRows) > 0;
  }

  /** Deletes every transient expired before `nowSeconds` (unix seconds); returns how many. */
  async purgeExpired(nowSeconds: number): Promise<number> {
    const r = await this.db.deleteFrom('site_transients').where('expires', '<', nowSeconds).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  getSync(name: string): TransientRow | undefined {
    return this.now<TransientRow>(this.getQuery(name)).rows[0];
  }

  setSync(name: string, value: string, expires: number | null): void {
    this.now(this.setQuery(name, value, expires));
  }

  deleteSync(name: string): boolean {
    return this.now(this.deleteQuery(name)).changes > 0;
  }

  private getQuery(name: string) {
    return this.db.selectFrom('site_transients').select(['value', 'expires']).where('name', '=', name);
  }

  private setQuery(name: string, value: string, expires: number | null) {
    return this.db
      .insertInto('site_transients')
      .values({ name, value, expires })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value, expires }));
  }

  private deleteQuery(name: string) {
    return this.db.deleteFrom('site_transients').where('name', '=', name);
  }
}
