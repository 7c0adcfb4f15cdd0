import type { Db } from '../db/database.js';

export interface User {
  id: number;
  login: string;
  email: string;
  display_name: string;
  registered: number;
}

export interface UserRow extends User {
  pass_hash: string;
}

export interface UserListQuery {
  search?: string;
  orderby?: 'login' | 'email' | 'registered' | 'display_name';
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** Data layer of users. */
export class UsersStore {
  constructor(private readonly db: Db) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  byId(id: number): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  }

  byLogin(login: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE login = ?').get(login) as UserRow | undefined;
  }

  byEmail(email: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE email = ?').get(email) as UserRow | undefined;
  }

  insert(user: Omit<UserRow, 'id'>): number {
    const r = this.db
      .prepare('INSERT INTO users (login, email, display_name, pass_hash, registered) VALUES (?, ?, ?, ?, ?)')
      .run(user.login, user.email, user.display_name, user.pass_hash, user.registered);
    return Number(r.lastInsertRowid);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM users WHERE id = ?').run(id).changes > 0;
  }

  list(q: UserListQuery): { items: User[]; total: number } {
    const where = q.search ? 'WHERE login LIKE @s OR email LIKE @s OR display_name LIKE @s' : '';
    const orderby = ['login', 'email', 'registered', 'display_name'].includes(q.orderby ?? '') ? q.orderby : 'login';
    const order = q.order === 'desc' ? 'DESC' : 'ASC';
    const params = { s: `%${q.search ?? ''}%`, limit: q.limit, offset: q.offset };
    const items = this.db
      .prepare(
        `SELECT id, login, email, display_name, registered FROM users ${where} ORDER BY ${orderby} ${order}, id LIMIT @limit OFFSET @offset`,
      )
      .all(params) as User[];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM users ${where}`).get(params) as { n: number }).n;
    return { items, total };
  }

  recent(limit: number): User[] {
    return this.db
      .prepare('SELECT id, login, email, display_name, registered FROM users ORDER BY registered DESC, id DESC LIMIT ?')
      .all(limit) as User[];
  }
}
