import type { ExpressionBuilder } from 'kysely';
import { equalsIgnoringCase, likeIgnoringCase, orderIgnoringCase } from '../db/case-insensitive.js';
import { QueryLayerStore } from '../db/sync-face.js';
import type { CoreTables } from '../db/tables.js';

export interface User {
  id: number;
  login: string;
  email: string;
  display_name: string;
  /** Unix milliseconds. */
  registered: number;
}

export interface UserRow extends User {
  pass_hash: string;
}

export interface UserListQuery {
  /** Matched anywhere in login, email or display name, without regard to case. */
  search?: string;
  orderby?: 'login' | 'email' | 'registered' | 'display_name';
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** The `cache_versions` row (and notification payload) that moves when users are deleted. */
export const USERS_CACHE = 'users';

const PUBLIC_COLUMNS = ['id', 'login', 'email', 'display_name', 'registered'] as const;
const ORDERABLE = ['login', 'email', 'registered', 'display_name'];

/**
 * Data layer of users, written once on the query layer. Logins and emails compare without
 * regard to case on both backends. The asynchronous methods work on both; the `…Sync` ones run
 * the same queries on the synchronous SQLite handle (WordPress's synchronous user calls) and
 * throw on PostgreSQL.
 */
export class UsersStore extends QueryLayerStore {
  async count(): Promise<number> {
    return Number((await this.countQuery().executeTakeFirst())?.n ?? 0);
  }

  async byId(id: number): Promise<UserRow | undefined> {
    return this.byIdQuery(id).executeTakeFirst();
  }

  /** The user with this login, compared without regard to case. */
  async byLogin(login: string): Promise<UserRow | undefined> {
    return this.byQuery('login', login).executeTakeFirst();
  }

  /** The user with this email address, compared without regard to case. */
  async byEmail(email: string): Promise<UserRow | undefined> {
    return this.byQuery('email', email).executeTakeFirst();
  }

  /** Adds a user; returns its id. A login or email taken (in any case) is a unique-constraint error. */
  async insert(user: Omit<UserRow, 'id'>): Promise<number> {
    return (await this.insertQuery(user).executeTakeFirstOrThrow()).id;
  }

  /** Deletes a user (their application passwords go with them); false when there was none. */
  async delete(id: number): Promise<boolean> {
    return Number((await this.deleteQuery(id).executeTakeFirst()).numDeletedRows) > 0;
  }

  /** Which of `ids` still exist. */
  async existing(ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    return new Set((await this.db.selectFrom('users').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
  }

  /** One page of users and the total matching the search. */
  async list(q: UserListQuery): Promise<{ items: User[]; total: number }> {
    const [items, total] = await Promise.all([this.pageQuery(q).execute(), this.countQuery(q.search).executeTakeFirst()]);
    return { items, total: Number(total?.n ?? 0) };
  }

  /** The most recently registered users, newest first. */
  async recent(limit: number): Promise<User[]> {
    return this.recentQuery(limit).execute();
  }

  // The same, now, on the synchronous SQLite handle.

  countSync(): number {
    return Number(this.now<{ n: number }>(this.countQuery()).rows[0]?.n ?? 0);
  }

  byIdSync(id: number): UserRow | undefined {
    return this.now<UserRow>(this.byIdQuery(id)).rows[0];
  }

  byLoginSync(login: string): UserRow | undefined {
    return this.now<UserRow>(this.byQuery('login', login)).rows[0];
  }

  byEmailSync(email: string): UserRow | undefined {
    return this.now<UserRow>(this.byQuery('email', email)).rows[0];
  }

  insertSync(user: Omit<UserRow, 'id'>): number {
    return this.now<{ id: number }>(this.insertQuery(user)).rows[0]!.id;
  }

  deleteSync(id: number): boolean {
    return this.now(this.deleteQuery(id)).changes > 0;
  }

  listSync(q: UserListQuery): { items: User[]; total: number } {
    return { items: this.now<User>(this.pageQuery(q)).rows, total: Number(this.now<{ n: number }>(this.countQuery(q.search)).rows[0]?.n ?? 0) };
  }

  recentSync(limit: number): User[] {
    return this.now<User>(this.recentQuery(limit)).rows;
  }

  private countQuery(search?: string) {
    return this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .$if(!!search, (qb) => qb.where(this.matches(search!)));
  }

  private matches(search: string) {
    const pattern = `%${search}%`;
    return (eb: ExpressionBuilder<CoreTables, 'users'>) => eb.or(['login', 'email', 'display_name'].map((c) => likeIgnoringCase(this.dialect, c, pattern)));
  }

  private byIdQuery(id: number) {
    return this.db.selectFrom('users').selectAll().where('id', '=', id);
  }

  private byQuery(column: 'login' | 'email', value: string) {
    return this.db.selectFrom('users').selectAll().where(equalsIgnoringCase(this.dialect, column, value));
  }

  private insertQuery(user: Omit<UserRow, 'id'>) {
    // Only these columns: a caller's object may carry more.
    const { login, email, display_name, pass_hash, registered } = user;
    return this.db.insertInto('users').values({ login, email, display_name, pass_hash, registered }).returning('id');
  }

  private deleteQuery(id: number) {
    return this.db.deleteFrom('users').where('id', '=', id);
  }

  private pageQuery(q: UserListQuery) {
    const orderby = ORDERABLE.includes(q.orderby ?? '') ? q.orderby! : 'login';
    const direction = q.order === 'desc' ? 'desc' : 'asc';
    const key = orderby === 'login' || orderby === 'email' ? orderIgnoringCase(this.dialect, orderby) : orderby;
    return this.db
      .selectFrom('users')
      .select(PUBLIC_COLUMNS)
      .$if(!!q.search, (qb) => qb.where(this.matches(q.search!)))
      .orderBy(key, direction)
      .orderBy('id')
      .limit(q.limit)
      .offset(q.offset);
  }

  private recentQuery(limit: number) {
    return this.db.selectFrom('users').select(PUBLIC_COLUMNS).orderBy('registered', 'desc').orderBy('id', 'desc').limit(limit);
  }
}
