import { QueryLayerStore } from '../db/sync-face.js';

/** One application password as shown (never its hash). Times are epoch milliseconds. */
export interface ApplicationPassword {
  uuid: string;
  app_id: string;
  name: string;
  created: number;
  last_used: number | null;
  last_ip: string | null;
}

/** A stored application password: the shown fields, its user and its hash. */
export interface ApplicationPasswordRow extends ApplicationPassword {
  user_id: number;
  password_hash: string;
}

const SHOWN = ['uuid', 'app_id', 'name', 'created', 'last_used', 'last_ip'] as const;

/**
 * Data layer of application passwords (table `application_passwords`, core schema v4; rows go
 * with their user). Asynchronous methods work on both backends; the `…Sync` ones run the same
 * queries on the synchronous SQLite handle (the profile screen, the CLI) and throw on PostgreSQL.
 */
export class ApplicationPasswordsStore extends QueryLayerStore {
  async insert(row: Omit<ApplicationPasswordRow, 'last_used' | 'last_ip'>): Promise<void> {
    await this.insertQuery(row).execute();
  }

  /** A user's application passwords, oldest first. */
  async list(userId: number): Promise<ApplicationPassword[]> {
    return this.listQuery(userId).execute();
  }

  /** Deletes one of a user's; false when the user has no such one. */
  async delete(userId: number, uuid: string): Promise<boolean> {
    return Number((await this.deleteQuery(userId, uuid).executeTakeFirst()).numDeletedRows) > 0;
  }

  /** The uuids and hashes of a user's application passwords (for checking a password). */
  async hashes(userId: number): Promise<Array<{ uuid: string; password_hash: string }>> {
    return this.hashesQuery(userId).execute();
  }

  /** Records a use: time (epoch ms) and client address. */
  async touch(uuid: string, at: number, ip: string): Promise<void> {
    await this.touchQuery(uuid, at, ip).execute();
  }

  insertSync(row: Omit<ApplicationPasswordRow, 'last_used' | 'last_ip'>): void {
    this.now(this.insertQuery(row));
  }

  listSync(userId: number): ApplicationPassword[] {
    return this.now<ApplicationPassword>(this.listQuery(userId)).rows;
  }

  deleteSync(userId: number, uuid: string): boolean {
    return this.now(this.deleteQuery(userId, uuid)).changes > 0;
  }

  private insertQuery(row: Omit<ApplicationPasswordRow, 'last_used' | 'last_ip'>) {
    const { uuid, user_id, app_id, name, password_hash, created } = row;
    return this.db.insertInto('application_passwords').values({ uuid, user_id, app_id, name, password_hash, created });
  }

  private listQuery(userId: number) {
    return this.db.selectFrom('application_passwords').select(SHOWN).where('user_id', '=', userId).orderBy('created').orderBy('uuid');
  }

  private deleteQuery(userId: number, uuid: string) {
    return this.db.deleteFrom('application_passwords').where('uuid', '=', uuid).where('user_id', '=', userId);
  }

  private hashesQuery(userId: number) {
    return this.db.selectFrom('application_passwords').select(['uuid', 'password_hash']).where('user_id', '=', userId);
  }

  private touchQuery(uuid: string, at: number, ip: string) {
    return this.db.updateTable('application_passwords').set({ last_used: at, last_ip: ip }).where('uuid', '=', uuid);
  }
}
