import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../config.js';
import type { Db } from '../db/database.js';
import { migrate, type Migration } from '../db/migrations.js';
import type { Hooks } from '../hooks/index.js';
import type { User } from '../users/users-store.js';
import type { Users } from '../users/users.js';
import { constantTimeEqual } from './api-key.js';
import { RestError } from './errors.js';

/** One application password as shown (never its hash). Times are epoch milliseconds. */
export interface ApplicationPassword {
  uuid: string;
  app_id: string;
  name: string;
  created: number;
  last_used: number | null;
  last_ip: string | null;
}

const migrations: Migration[] = [
  {
    version: 1,
    name: 'application passwords',
    up(db) {
      db.exec(`CREATE TABLE application_passwords (
        uuid TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        app_id TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created INTEGER NOT NULL,
        last_used INTEGER,
        last_ip TEXT
      );
      CREATE INDEX application_passwords_user ON application_passwords (user_id);`);
    },
  },
];

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** WordPress's shape: 24 letters and digits (wp_generate_password(24, false)), shown in groups of four. */
function generate(): string {
  const bytes = randomBytes(24);
  return [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

/** Groups of four, as WordPress displays a new application password. */
export function chunkPassword(password: string): string {
  return password.match(/.{1,4}/g)!.join(' ');
}

/**
 * WordPress's Application Passwords (WP_Application_Passwords): per-user API passwords, shown
 * once at creation, stored hashed (HMAC-SHA-256 keyed by the item's uuid: the passwords are 143
 * random bits, so a slow hash buys nothing), with last use time and IP. Hooks:
 * `wp_create_application_password`, `wp_delete_application_password`,
 * `application_password_did_authenticate`, `application_password_failed_authentication`.
 */
export class ApplicationPasswords {
  constructor(
    private readonly db: Db,
    private readonly users: Users,
    private readonly hooks: Hooks,
    private readonly clock: Clock,
  ) {
    migrate(db, 'application-passwords', migrations);
  }

  private hash(uuid: string, password: string): string {
    return createHmac('sha256', uuid).update(password.replace(/\s+/g, '')).digest('hex');
  }

  /**
   * Creates one for a user; returns the item and the password in clear — the only time it exists.
   * @throws RestError application_password_invalid (field name); USER_NOT_FOUND.
   */
  create(userId: number, name: string, appId = ''): { item: ApplicationPassword; password: string } {
    const trimmed = typeof name === 'string' ? name.trim() : '';
    if (!trimmed || trimmed.length > 100) throw new RestError('application_password_invalid', 'Give the application password a name of 1 to 100 characters.', { name: 'Give the application password a name of 1 to 100 characters.' });
    if (!this.users.get(userId)) throw new RestError('USER_NOT_FOUND', `There is no user with id ${userId}.`, undefined, 404);
    const uuid = randomUUID();
    const password = generate();
    const item: ApplicationPassword = { uuid, app_id: appId, name: trimmed, created: this.clock(), last_used: null, last_ip: null };
    this.db
      .prepare('INSERT INTO application_passwords (uuid, user_id, app_id, name, password_hash, created) VALUES (?, ?, ?, ?, ?, ?)')
      .run(uuid, userId, appId, trimmed, this.hash(uuid, password), item.created);
    this.hooks.do_action('wp_create_application_password', userId, item, password);
    return { item, password };
  }

  list(userId: number): ApplicationPassword[] {
    return this.db
      .prepare('SELECT uuid, app_id, name, created, last_used, last_ip FROM application_passwords WHERE user_id = ? ORDER BY created, uuid')
      .all(userId) as ApplicationPassword[];
  }

  /** Revokes one. @throws RestError rest_application_password_not_found. */
  delete(userId: number, uuid: string): void {
    const item = this.list(userId).find((p) => p.uuid === uuid);
    if (!item) throw new RestError('rest_application_password_not_found', 'That application password does not exist.', undefined, 404);
    this.db.prepare('DELETE FROM application_passwords WHERE uuid = ? AND user_id = ?').run(uuid, userId);
    this.hooks.do_action('wp_delete_application_password', userId, item);
  }

  /**
   * The user whose application password this is (login or email + password; spaces ignored),
   * recording the time and IP of use; null when nothing matches. Compares every candidate in
   * constant time.
   */
  authenticate(loginOrEmail: string, password: string, ip: string): User | null {
    const user = this.users.byLogin(loginOrEmail) ?? this.users.list({ search: loginOrEmail, limit: 5, offset: 0 }).items.find((u) => u.email.toLowerCase() === loginOrEmail.toLowerCase());
    if (!user) return null;
    const rows = this.db.prepare('SELECT uuid, password_hash FROM application_passwords WHERE user_id = ?').all(user.id) as Array<{ uuid: string; password_hash: string }>;
    let match: string | undefined;
    for (const r of rows) if (constantTimeEqual(this.hash(r.uuid, password), r.password_hash)) match = r.uuid;
    if (!match) {
      this.hooks.do_action('application_password_failed_authentication', user.id);
      return null;
    }
    this.db.prepare('UPDATE application_passwords SET last_used = ?, last_ip = ? WHERE uuid = ?').run(this.clock(), ip, match);
    this.hooks.do_action('application_password_did_authenticate', user, match);
    return user;
  }
}
