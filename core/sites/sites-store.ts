import type { ExpressionBuilder, Kysely } from 'kysely';
import { equalsIgnoringCase, likeIgnoringCase, orderIgnoringCase } from '../db/case-insensitive.js';
import { QueryLayerStore } from '../db/sync-face.js';
import type { CoreTables } from '../db/tables.js';

export interface Site {
  id: number;
  slug: string;
  title: string;
  admin_email: string;
  /** Unix milliseconds. */
  registered: number;
  /** 1 public, 0 not. */
  public: number;
}

export interface SiteListQuery {
  /** Matched anywhere in slug or title, without regard to case. */
  search?: string;
  orderby?: string;
  order?: string;
  limit: number;
  offset: number;
}

const ORDERABLE = ['slug', 'title', 'registered', 'id'];

/**
 * Data layer of sites, written once on the query layer; slugs compare without regard to case on
 * both backends. Asynchronous methods work on both; the `…Sync` ones run the same queries on the
 * synchronous SQLite handle (the network admin's synchronous calls) and throw on PostgreSQL.
 */
export class SitesStore extends QueryLayerStore {
  /** This store's asynchronous queries on another executor of the same database: an open transaction (no synchronous face). */
  on(db: Kysely<CoreTables>): SitesStore {
    return new SitesStore(db, this.dialect);
  }

  async byId(id: number): Promise<Site | undefined> {
    return this.byIdQuery(id).executeTakeFirst();
  }

  /** The site with this slug, compared without regard to case. */
  async bySlug(slug: string): Promise<Site | undefined> {
    return this.bySlugQuery(slug).executeTakeFirst();
  }

  /** Adds a site; returns its id. A slug taken (in any case) is a unique-constraint error. */
  async insert(site: Omit<Site, 'id'>): Promise<number> {
    return (await this.insertQuery(site).executeTakeFirstOrThrow()).id;
  }

  async delete(id: number): Promise<boolean> {
    return Number((await this.deleteQuery(id).executeTakeFirst()).numDeletedRows) > 0;
  }

  async count(): Promise<number> {
    return Number((await this.countQuery().executeTakeFirst())?.n ?? 0);
  }

  /** One page of sites and the total matching the search. */
  async list(q: SiteListQuery): Promise<{ items: Site[]; total: number }> {
    const [items, total] = await Promise.all([this.pageQuery(q).execute(), this.countQuery(q.search).executeTakeFirst()]);
    return { items, total: Number(total?.n ?? 0) };
  }

  /** The most recently registered sites, newest first. */
  async recent(limit: number): Promise<Site[]> {
    return this.recentQuery(limit).execute();
  }

  // The same, now, on the synchronous SQLite handle.

  byIdSync(id: number): Site | undefined {
    return this.now<Site>(this.byIdQuery(id)).rows[0];
  }

  bySlugSync(slug: string): Site | undefined {
    return this.now<Site>(this.bySlugQuery(slug)).rows[0];
  }

  insertSync(site: Omit<Site, 'id'>): number {
    return this.now<{ id: number }>(this.insertQuery(site)).rows[0]!.id;
  }

  deleteSync(id: number): boolean {
    return this.now(this.deleteQuery(id)).changes > 0;
  }

  countSync(): number {
    return Number(this.now<{ n: number }>(this.countQuery()).rows[0]?.n ?? 0);
  }

  listSync(q: SiteListQuery): { items: Site[]; total: number } {
    return { items: this.now<Site>(this.pageQuery(q)).rows, total: Number(this.now<{ n: number }>(this.countQuery(q.search)).rows[0]?.n ?? 0) };
  }

  recentSync(limit: number): Site[] {
    return this.now<Site>(this.recentQuery(limit)).rows;
  }

  private byIdQuery(id: number) {
    return this.db.selectFrom('sites').selectAll().where('id', '=', id);
  }

  private bySlugQuery(slug: string) {
    return this.db.selectFrom('sites').selectAll().where(equalsIgnoringCase(this.dialect, 'slug', slug));
  }

  private insertQuery(site: Omit<Site, 'id'>) {
    // Only these columns: a caller's object may carry more (a placeholder id).
    const { slug, title, admin_email, registered } = site;
    return this.db.insertInto('sites').values({ slug, title, admin_email, registered, public: site.public }).returning('id');
  }

  private deleteQuery(id: number) {
    return this.db.deleteFrom('sites').where('id', '=', id);
  }

  private countQuery(search?: string) {
    return this.db
      .selectFrom('sites')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .$if(!!search, (qb) => qb.where(this.matches(search!)));
  }

  private matches(search: string) {
    const pattern = `%${search}%`;
    return (eb: ExpressionBuilder<CoreTables, 'sites'>) => eb.or(['slug', 'title'].map((c) => likeIgnoringCase(this.dialect, c, pattern)));
  }

  private pageQuery(q: SiteListQuery) {
    const orderby = ORDERABLE.includes(q.orderby ?? '') ? (q.orderby as 'slug' | 'title' | 'registered' | 'id') : 'id';
    const direction = q.order === 'desc' ? 'desc' : 'asc';
    return this.db
      .selectFrom('sites')
      .selectAll()
      .$if(!!q.search, (qb) => qb.where(this.matches(q.search!)))
      .orderBy(orderby === 'slug' ? orderIgnoringCase(this.dialect, 'slug') : orderby, direction)
      .orderBy('id')
      .limit(q.limit)
      .offset(q.offset);
  }

  private recentQuery(limit: number) {
    return this.db.selectFrom('sites').selectAll().orderBy('registered', 'desc').orderBy('id', 'desc').limit(limit);
  }
}
