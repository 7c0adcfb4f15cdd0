import type { Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import { executeSync } from '../db/query-layer.js';
import type { CoreTables } from '../db/tables.js';

/** The PostgreSQL channel on which changed cached state is announced (payload: the cache's name). */
export const CACHE_CHANNEL = 'hookpress_cache';
/** The `cache_versions` row (and notification payload) of network options. */
export const OPTIONS_CACHE = 'site_options';

/**
 * Data layer of network options: JSON values keyed by name, on the query layer. Any write to
 * `site_options` — by this store, the CLI, or plain SQL — bumps the options' row in
 * `cache_versions` through a trigger (and on PostgreSQL notifies CACHE_CHANNEL on commit), so
 * other processes know to reload their cache (core schema v3). The `…Sync` methods run the
 * same queries on the synchronous SQLite handle (WordPress's synchronous `update_site_option`);
 * the asynchronous ones work on both backends.
 */
export class OptionsStore {
  constructor(
    private readonly db: Kysely<CoreTables>,
    /** SQLite: the synchronous handle on the same connection; absent on PostgreSQL. */
    readonly sync?: Db,
  ) {}

  /** Every option: name → stored JSON text. */
  async loadAll(): Promise<Map<string, string>> {
    return toMap(await this.allQuery().execute());
  }

  /** The same, now, on the synchronous handle (SQLite). */
  loadAllSync(): Map<string, string> {
    return toMap(this.now<{ name: string; value: string }>(this.allQuery()).rows);
  }

  /** How many times options were written; moves whenever any process writes one. */
  async version(): Promise<number> {
    return Number((await this.versionQuery().executeTakeFirst())?.version ?? 0);
  }

  versionSync(): number {
    return Number(this.now<{ version: number }>(this.versionQuery()).rows[0]?.version ?? 0);
  }

  /**
   * The versions of several `cache_versions` rows in one query (OptionsSync's poll reads every
   * followed cache at once): name → version, 0 for a name without a row (as `version()` reads it).
   */
  async cacheVersions(names: readonly string[]): Promise<Map<string, number>> {
    const versions = new Map(names.map((name) => [name, 0]));
    if (!names.length) return versions;
    const rows = await this.db.selectFrom('cache_versions').select(['name', 'version']).where('name', 'in', names).execute();
    for (const r of rows) versions.set(r.name, Number(r.version));
    return versions;
  }

  /** Stored JSON text of one option, or undefined (straight from the database, past any cache). */
  async read(name: string): Promise<string | undefined> {
    return (await this.readQuery(name).executeTakeFirst())?.value;
  }

  /** The same, now, on the synchronous handle (SQLite). */
  readSync(name: string): string | undefined {
    return this.now<{ value: string }>(this.readQuery(name)).rows[0]?.value;
  }

  /** Adds an option; false when it exists. */
  async insert(name: string, json: string): Promise<boolean> {
    return Number((await this.insertQuery(name, json).executeTakeFirst()).numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Changes an option; false when it does not exist. */
  async update(name: string, json: string): Promise<boolean> {
    return Number((await this.updateQuery(name, json).executeTakeFirst()).numUpdatedRows) > 0;
  }

  /** Sets an option whether or not it exists (the database's row wins over any cache's idea of it). */
  async upsert(name: string, json: string): Promise<void> {
    await this.upsertQuery(name, json).execute();
  }

  async delete(name: string): Promise<boolean> {
    return Number((await this.deleteQuery(name).executeTakeFirst()).numDeletedRows) > 0;
  }

  insertSync(name: string, json: string): boolean {
    return this.now(this.insertQuery(name, json)).changes > 0;
  }

  updateSync(name: string, json: string): boolean {
    return this.now(this.updateQuery(name, json)).changes > 0;
  }

  upsertSync(name: string, json: string): void {
    this.now(this.upsertQuery(name, json));
  }

  deleteSync(name: string): boolean {
    return this.now(this.deleteQuery(name)).changes > 0;
  }

  private allQuery() {
    return this.db.selectFrom('site_options').select(['name', 'value']);
  }

  private readQuery(name: string) {
    return this.db.selectFrom('site_options').select('value').where('name', '=', name);
  }

  private versionQuery() {
    return this.db.selectFrom('cache_versions').select('version').where('name', '=', OPTIONS_CACHE);
  }

  private insertQuery(name: string, json: string) {
    return this.db.insertInto('site_options').values({ name, value: json }).onConflict((oc) => oc.column('name').doNothing());
  }

  private updateQuery(name: string, json: string) {
    return this.db.updateTable('site_options').set({ value: json }).where('name', '=', name);
  }

  private upsertQuery(name: string, json: string) {
    return this.db
      .insertInto('site_options')
      .values({ name, value: json })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: json }));
  }

  private deleteQuery(name: string) {
    return this.db.deleteFrom('site_options').where('name', '=', name);
  }

  private now<R>(query: Parameters<typeof executeSync>[1]): { rows: R[]; changes: number } {
    if (!this.sync) throw new Error('Synchronous option calls need SQLite; on PostgreSQL use the asynchronous ones.');
    return executeSync<R>(this.sync, query);
  }
}

function toMap(rows: Array<{ name: string; value: string }>): Map<string, string> {
  return new Map(rows.map((r) => [r.name, r.value]));
}
