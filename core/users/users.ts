import { stripControlChars, TEXT_LIMITS, tooLong } from '../admin/form.js';
import { HookpressError } from '../errors.js';
import type { CoreErrorCode } from '../error-codes.js';
import { throwAll } from '../errors.js';
import type { Hooks } from '../hooks/index.js';
import type { SiteOptions } from '../options/site-options.js';
import type { Clock } from '../config.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import type { User, UserListQuery, UsersStore } from './users-store.js';

/** A bad user input; codes USER_* in core/error-codes.ts. */
export class UserError extends HookpressError<CoreErrorCode> {
  /** With `fields`, several inputs are at fault (one message each); `code` is the first one's. */
  constructor(code: CoreErrorCode, message: string, field?: string, fields?: Record<string, string>) {
    super(code, message, { field, fields });
    this.name = 'UserError';
  }
}

export interface NewUser {
  login: string;
  email: string;
  display_name?: string;
  password?: string;
}

const LOGIN_RE = /^[a-z0-9 _.\-@]{1,60}$/i;
// eslint-disable-next-line no-control-regex
const EMAIL_RE = /^[^\s@<>"'\u0000-\u001F\u007F]+@[^\s@<>"'\u0000-\u001F\u007F]+$/;

/** Whether `email` has the shape of an email address (something@something, no spaces, quotes, angle brackets or control characters). */
export function looksLikeEmail(email: string): boolean {
  return EMAIL_RE.test(email);
}

/** The longest login (60) or email address (100) an account can have, in characters. */
export const MAX_IDENTIFIER_LENGTH = 100;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

/**
 * Whether `loginOrEmail` could be some account's login or email: at most MAX_IDENTIFIER_LENGTH
 * characters and no NUL or other control character (no account has one). Anything else can never
 * match, so it is answered as unknown without a query (PostgreSQL refuses NUL in text: 22021).
 */
export function couldBeIdentifier(loginOrEmail: string): boolean {
  return loginOrEmail.length > 0 && loginOrEmail.length <= MAX_IDENTIFIER_LENGTH && !CONTROL.test(loginOrEmail);
}

/**
 * Network users: accounts, super admins (the `site_admins` network option, as in WordPress)
 * and the capability rule.
 *
 * On SQLite the synchronous calls read the database. On PostgreSQL they read a per-process
 * cache of the users this process has read asynchronously (`getAsync`, `listAsync`,
 * `recentAsync`, `create`): the host loads the session's user afresh at the start of every
 * request, so `get`, `user_can` and `is_super_admin` answer for them; a user never read by
 * this process is unknown to the synchronous calls (`get` returns undefined), and one deleted
 * through another process is forgotten within a second (refreshKnown).
 */
export class Users {
  /** PostgreSQL: users read asynchronously, by id (see the class comment). */
  private readonly known = new Map<number, User>();
  /** The users' deletion version `known` was last checked against (refreshKnown). */
  private knownVersion = -1;

  constructor(
    private readonly store: UsersStore,
    private readonly options: SiteOptions,
    private readonly hooks: Hooks,
    private readonly clock: Clock,
    private readonly passwordCost: number,
  ) {}

  count(): number {
    return this.store.countSync();
  }

  get(id: number): User | undefined {
    const row = this.row(id);
    return row && strip(row);
  }

  /** The user, read from the database on either backend (and remembered for the synchronous calls on PostgreSQL). */
  async getAsync(id: number): Promise<User | undefined> {
    const row = await this.store.byId(id);
    if (!row) {
      this.known.delete(id);
      return undefined;
    }
    return this.remember(strip(row));
  }

  /** How many users there are, on either backend. */
  async countAsync(): Promise<number> {
    return this.store.count();
  }

  /** `list` on either backend. */
  async listAsync(q: UserListQuery): Promise<{ items: User[]; total: number }> {
    const result = await this.store.list(q);
    for (const u of result.items) this.remember(u);
    return result;
  }

  /** `recent` on either backend. */
  async recentAsync(limit: number): Promise<User[]> {
    const items = await this.store.recent(limit);
    for (const u of items) this.remember(u);
    return items;
  }

  /**
   * PostgreSQL: forgets the remembered users that another process (or plain SQL) deleted, once the
   * users' deletion version moved (OptionsSync calls it on the `users` notification and every
   * OPTIONS_POLL_MS). `version`: the deletion version just read (OptionsSync reads every followed
   * cache's version in one query). True when it looked. On SQLite
   * the synchronous calls read the database.
   */
  async refreshKnown(version: number): Promise<boolean> {
    if (this.store.sync) return false;
    if (version === this.knownVersion) return false;
    const ids = [...this.known.keys()];
    const existing = await this.store.existing(ids);
    for (const id of ids) if (!existing.has(id)) this.known.delete(id);
    this.knownVersion = version;
    return true;
  }

  /** SQLite: the row now; PostgreSQL: the remembered user. */
  private row(id: number): User | undefined {
    return this.store.sync ? this.store.byIdSync(id) : this.known.get(id);
  }

  private remember(user: User): User {
    if (!this.store.sync) this.known.set(user.id, strip(user));
    return user;
  }

  byLogin(login: string): User | undefined {
    const row = this.store.byLoginSync(login);
    return row && strip(row);
  }

  /** The user with this email address (case-insensitive), if any. */
  byEmail(email: string): User | undefined {
    const row = this.store.byEmailSync(email);
    return row && strip(row);
  }

  list(q: UserListQuery): { items: User[]; total: number } {
    return this.store.listSync(q);
  }

  recent(limit: number): User[] {
    return this.store.recentSync(limit);
  }

  /**
   * Validates and creates a user; fires `user_register` (user id, user data).
   * @throws UserError (USER_*) with every failing field; USER_LOGIN_EXISTS / USER_EMAIL_EXISTS
   *   also when another process adds the login or email between the check and the insert.
   */
  async create(input: NewUser): Promise<{ user: User; password: string }> {
    const login = (input.login ?? '').trim();
    const email = (input.email ?? '').trim();
    // Every field is checked, so a form shows all its errors at once (WordPress's WP_Error).
    const errors: Array<[CoreErrorCode, string, string]> = [];
    if (login === '') errors.push(['USER_INVALID_LOGIN', 'Enter a username.', 'login']);
    else if (login.length > 60) errors.push(['USER_INVALID_LOGIN', 'Usernames can have at most 60 characters.', 'login']);
    else if (!LOGIN_RE.test(login)) {
      errors.push(['USER_INVALID_LOGIN', 'Usernames can only contain letters, numbers, spaces, and the characters _ . - @ (at most 60).', 'login']);
    } else if (await this.store.byLogin(login)) errors.push(['USER_LOGIN_EXISTS', 'That username is already taken.', 'login']);
    if (email === '') errors.push(['USER_INVALID_EMAIL', 'Enter an email address.', 'email']);
    else if (!looksLikeEmail(email) || email.length > 100) errors.push(['USER_INVALID_EMAIL', 'Enter a valid email address.', 'email']);
    else if (await this.store.byEmail(email)) errors.push(['USER_EMAIL_EXISTS', 'That email address is already registered.', 'email']);
    const password = input.password || generatePassword();
    // WordPress trims passwords before checking them: eight spaces are no password at all.
    if (password.trim().length < 8) {
      errors.push(['USER_WEAK_PASSWORD', 'Use a password of at least 8 characters, not counting spaces at the start or end.', 'password']);
    }
    const display_name = stripControlChars(input.display_name ?? '').trim() || login;
    if (display_name.length > TEXT_LIMITS.display_name) {
      errors.push(['USER_INVALID_DISPLAY_NAME', tooLong('The display name', display_name, TEXT_LIMITS.display_name), 'display_name']);
    }
    throwAll(errors, (code, message, field, fields) => new UserError(code, message, field, fields));
    const registered = this.clock();
    const pass_hash = await hashPassword(password, this.passwordCost);
    const id = await this.store.insert({ login, email, display_name, pass_hash, registered }).catch((error: unknown) => {
      // Another process added the login or email (in any case) between the checks above and now.
      if (isUniqueViolation(error, 'users', 'login')) throw new UserError('USER_LOGIN_EXISTS', 'That username is already taken.', 'login');
      if (isUniqueViolation(error, 'users', 'email')) throw new UserError('USER_EMAIL_EXISTS', 'That email address is already registered.', 'email');
      throw error;
    });
    const user: User = this.remember({ id, login, email, display_name, registered });
    this.hooks.do_action('user_register', id, { ...user });
    return { user, password };
  }

  /** Deletes a user; fires `delete_user` (id, user) before and `deleted_user` after. */
  delete(id: number): boolean {
    const user = this.get(id);
    if (!user) return false;
    this.hooks.do_action('delete_user', id, user);
    this.freshSuperAdmins();
    if (this.is_super_admin(id)) this.setSuperAdmins(this.superAdminLogins().filter((l) => l !== user.login));
    const deleted = this.store.deleteSync(id);
    this.hooks.do_action('deleted_user', id, user);
    return deleted;
  }

  /** `delete` on either backend (same hooks). */
  async deleteAsync(id: number): Promise<boolean> {
    const user = await this.getAsync(id);
    if (!user) return false;
    this.hooks.do_action('delete_user', id, user);
    await this.options.refresh();
    if (this.is_super_admin(id)) this.setSuperAdmins(this.superAdminLogins().filter((l) => l !== user.login));
    const deleted = await this.store.delete(id);
    this.known.delete(id);
    this.hooks.do_action('deleted_user', id, user);
    return deleted;
  }

  /**
   * The user with this login, or else this email address (both without regard to case);
   * asynchronous, on both backends. Undefined without a query for what no account can have
   * (see couldBeIdentifier: control characters, more than MAX_IDENTIFIER_LENGTH characters).
   */
  async find(loginOrEmail: string): Promise<User | undefined> {
    const row = await this.findRow(loginOrEmail);
    return row && strip(row);
  }

  private async findRow(loginOrEmail: string) {
    if (!couldBeIdentifier(loginOrEmail)) return undefined;
    return (await this.store.byLogin(loginOrEmail)) ?? (loginOrEmail.includes('@') ? await this.store.byEmail(loginOrEmail) : undefined);
  }

  /** The user matching the credentials, or null — one answer for every kind of failure. */
  async authenticate(login: string, password: string): Promise<User | null> {
    const row = await this.findRow(login);
    if (!row) return null;
    return (await verifyPassword(password, row.pass_hash)) ? strip(row) : null;
  }

  superAdminLogins(): string[] {
    const admins = this.options.get_site_option<unknown>('site_admins', []);
    return Array.isArray(admins) ? admins.filter((x): x is string => typeof x === 'string') : [];
  }

  is_super_admin(userId: number): boolean {
    return this.isAdminRow(this.row(userId));
  }

  /** Fires `grant_super_admin` before and `granted_super_admin` after, like WordPress. */
  grant_super_admin(userId: number): boolean {
    this.freshSuperAdmins();
    return this.grantRow(this.row(userId));
  }

  /** Fires `revoke_super_admin` before and `revoked_super_admin` after. */
  revoke_super_admin(userId: number): boolean {
    this.freshSuperAdmins();
    return this.revokeRow(this.row(userId));
  }

  /**
   * `is_super_admin` on either backend. Super admins are the `site_admins` network option, so
   * a grant or revoke through another process counts here once the options cache has it
   * (OptionsSync: within a second; on SQLite from the next request on).
   */
  async isSuperAdmin(userId: number): Promise<boolean> {
    return this.isAdminRow(await this.getAsync(userId));
  }

  /** `grant_super_admin` on either backend (same hooks). */
  async grantSuperAdmin(userId: number): Promise<boolean> {
    await this.options.refresh();
    return this.grantRow(await this.getAsync(userId));
  }

  /** `revoke_super_admin` on either backend (same hooks). */
  async revokeSuperAdmin(userId: number): Promise<boolean> {
    await this.options.refresh();
    return this.revokeRow(await this.getAsync(userId));
  }

  /**
   * Super admins are one list in one option, changed by reading and writing it back: read it
   * from the database first, so a process whose cache is a moment behind (another process
   * granted or revoked since) does not write back a list that undoes that change.
   */
  private freshSuperAdmins(): void {
    this.options.refreshBeforeWrite();
  }

  private isAdminRow(user: User | undefined): boolean {
    return !!user && this.superAdminLogins().some((l) => l.toLowerCase() === user.login.toLowerCase());
  }

  private grantRow(user: User | undefined): boolean {
    if (!user || this.isAdminRow(user)) return false;
    this.hooks.do_action('grant_super_admin', user.id);
    this.setSuperAdmins([...this.superAdminLogins(), user.login]);
    this.hooks.do_action('granted_super_admin', user.id);
    return true;
  }

  private revokeRow(user: User | undefined): boolean {
    if (!user || !this.isAdminRow(user)) return false;
    this.hooks.do_action('revoke_super_admin', user.id);
    this.setSuperAdmins(this.superAdminLogins().filter((l) => l.toLowerCase() !== user.login.toLowerCase()));
    this.hooks.do_action('revoked_super_admin', user.id);
    return true;
  }

  /**
   * WordPress's rule for the network admin: a super admin has every capability except
   * `do_not_allow`; other users have none of the network capabilities. Filterable through
   * `user_has_cap` (allcaps, [cap], args, user) like WordPress.
   */
  user_can(userId: number | null | undefined, capability: string): boolean {
    if (!userId) return false;
    // One read of the user per check: menus check many capabilities per page.
    const row = this.row(userId);
    if (!row) return false;
    const superAdmin = this.isAdminRow(row);
    // `exist` is every user's, as in WordPress (a user may manage their own profile).
    const granted = (superAdmin && capability !== 'do_not_allow') || capability === 'exist';
    const allcaps = this.hooks.apply_filters('user_has_cap', { [capability]: granted }, [capability], [capability, userId], strip(row));
    return !!(allcaps as Record<string, boolean>)[capability];
  }

  private setSuperAdmins(logins: string[]): void {
    this.options.update_site_option('site_admins', [...new Set(logins)]);
  }
}

function strip(row: User & { pass_hash?: string }): User {
  return { id: row.id, login: row.login, email: row.email, display_name: row.display_name, registered: row.registered };
}
