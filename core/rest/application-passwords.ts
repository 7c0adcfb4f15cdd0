import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../config.js';
import type { Hooks } from '../hooks/index.js';
import type { User } from '../users/users-store.js';
import type { Users } from '../users/users.js';
import { constantTimeEqual } from './api-key.js';
import type { ApplicationPassword, ApplicationPasswordsStore } from './application-passwords-store.js';
import { RestError } from './errors.js';
import { stripControlChars } from '../admin/form.js';

export type { ApplicationPassword } from './application-passwords-store.js';

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
    private readonly store: ApplicationPasswordsStore,
    private readonly users: Users,
    private readonly hooks: Hooks,
    private readonly clock: Clock,
  ) {}

  private hash(uuid: string, password: string): string {
    return createHmac('sha256', uuid).update(password.replace(/\s+/g, '')).digest('hex');
  }

  /**
   * Creates one for a user; returns the item and the password in clear — the only time it exists.
   * SQLite only (see createAsync).
   * @throws RestError application_password_invalid (field name); USER_NOT_FOUND.
   */
  create(userId: number, name: string, appId = ''): { item: ApplicationPassword; password: string } {
    const made = this.prepare(userId, name, appId, this.users.get(userId) !== undefined);
    this.store.insertSync(made.row);
    this.hooks.do_action('wp_create_application_password', userId, made.item, made.password);
    return { item: made.item, password: made.password };
  }

  /** `create` on either backend (same checks and hook). */
  async createAsync(userId: number, name: string, appId = ''): Promise<{ item: ApplicationPassword; password: string }> {
    const made = this.prepare(userId, name, appId, (await this.users.getAsync(userId)) !== undefined);
    await this.store.insert(made.row);
    this.hooks.do_action('wp_create_application_password', userId, made.item, made.password);
    return { item: made.item, password: made.password };
  }

  /** The checks of a creation, and what it stores. @throws RestError as `create` */
  private prepare(userId: number, name: string, appId: string, userExists: boolean) {
    // NUL and other control characters removed (sanitize_text_field), as from every form.
    const trimmed = typeof name === 'string' ? stripControlChars(name).trim() : '';
    appId = stripControlChars(appId);
    if (!trimmed || trimmed.length > 100) throw new RestError('application_password_invalid', 'Give the application password a name of 1 to 100 characters.', { name: 'Give the application password a name of 1 to 100 characters.' });
    if (!userExists) throw new RestError('USER_NOT_FOUND', `There is no user with id ${userId}.`, undefined, 404);
    const uuid = randomUUID();
    const password = generate();
    const item: ApplicationPassword = { uuid, app_id: appId, name: trimmed, created: this.clock(), last_used: null, last_ip: null };
    const row = { uuid, user_id: userId, app_id: appId, name: trimmed, password_hash: this.hash(uuid, password), created: item.created };
    return { item, password, row };
  }

  list(userId: number): ApplicationPassword[] {
    return this.store.listSync(userId);
  }

  /** `list` on either backend. */
  async listAsync(userId: number): Promise<ApplicationPassword[]> {
    return this.store.list(userId);
  }

  /** Revokes one. @throws RestError rest_application_password_not_found. */
  delete(userId: number, uuid: string): void {
    const item = this.list(userId).find((p) => p.uuid === uuid);
    if (!item) throw notFound();
    this.store.deleteSync(userId, uuid);
    this.hooks.do_action('wp_delete_application_password', userId, item);
  }

  /** `delete` on either backend (same error and hook). */
  async deleteAsync(userId: number, uuid: string): Promise<void> {
    const item = (await this.listAsync(userId)).find((p) => p.uuid === uuid);
    if (!item) throw notFound();
    await this.store.delete(userId, uuid);
    this.hooks.do_action('wp_delete_application_password', userId, item);
  }

  /**
   * The user whose application password this is (login or email + password; spaces ignored),
   * recording the time and IP of use; null when nothing matches. Compares every candidate in
   * constant time. Asynchronous: works on both backends.
   */
  async authenticate(loginOrEmail: string, password: string, ip: string): Promise<User | null> {
    const user = await this.users.find(loginOrEmail);
    if (!user) return null;
    const rows = await this.store.hashes(user.id);
    let match: string | undefined;
    for (const r of rows) if (constantTimeEqual(this.hash(r.uuid, password), r.password_hash)) match = r.uuid;
    if (!match) {
      this.hooks.do_action('application_password_failed_authentication', user.id);
      return null;
    }
    await this.store.touch(match, this.clock(), ip);
    this.hooks.do_action('application_password_did_authenticate', user, match);
    return user;
  }
}

function notFound(): RestError {
  return new RestError('rest_application_password_not_found', 'That application password does not exist.', undefined, 404);
}
