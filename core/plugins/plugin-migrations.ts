import { types } from 'node:util';
import type { Kysely } from 'kysely';
import { MigrationError, type Migration } from '../db/migrations.js';
import type { Db } from '../db/database.js';
import type { DialectName, QueryLayer } from '../db/query-layer.js';
import { migrateSchema, type SchemaMigration } from '../db/schema-migrations.js';
import { PluginError } from './types.js';

/**
 * One schema change of a plugin, written with Kysely's schema builder so it runs on SQLite and
 * on PostgreSQL: `async up(db, dialect)` (and `async down(db, dialect)` to undo it on
 * uninstall). `db` is the migration's own transaction; `dialect` is for the few places the
 * databases differ (raw SQL only there). Recorded per plugin in `schema_migrations` under the
 * owner `plugin:<slug>`, as core's migrations are under `core`.
 */
export interface PluginMigration {
  version: number;
  name: string;
  // Migrations see the database as it was at their version, not as today's table types say.
  up: (db: Kysely<any>, dialect: DialectName) => Promise<void>;
  /** Undoes `up` (drops what it created); run by `api.unmigrate` when the plugin is uninstalled. */
  down?: (db: Kysely<any>, dialect: DialectName) => Promise<void>;
}

/**
 * What `api.migrate` accepts: migrations in Kysely's form (`async up(db: Kysely<any>)`), and —
 * deprecated, SQLite only — the older raw-SQL form (`up(db: Db)`, a plain synchronous function
 * given the synchronous SQLite handle). The two are told apart by `up` being declared `async`.
 */
export type AnyPluginMigration = PluginMigration | Migration;

/** The older raw-SQL form: a synchronous `up` (not declared `async`). */
function isSqliteForm(m: AnyPluginMigration): m is Migration {
  return !types.isAsyncFunction(m.up);
}

/** Runs one side (`up` or `down`) of either form, inside the migration's Kysely transaction `trx`. */
async function runSide(m: AnyPluginMigration, side: 'up' | 'down', trx: Kysely<any>, layer: QueryLayer, sqlite: Db | undefined): Promise<void> {
  if (isSqliteForm(m)) {
    if (layer.dialect !== 'sqlite' || !sqlite) {
      throw new PluginError('PLUGIN_NO_SQLITE', 'it is a raw-SQL (SQLite-only) migration, and this host runs on PostgreSQL: rewrite it with Kysely’s schema builder (async up(db)).');
    }
    // The synchronous handle is the same connection, and this is the transaction's own async
    // context: the shared-connection guard lets these writes join the migration's transaction.
    (side === 'up' ? m.up : m.down!)(sqlite);
    return;
  }
  await (side === 'up' ? m.up : m.down!)(trx, layer.dialect);
}

/**
 * Applies the plugin's migrations not yet recorded under `owner`, in version order, each in its
 * own transaction with its record (core's migrateSchema). Idempotent; returns the versions applied.
 * `sqlite`: the synchronous handle, for raw-SQL migrations (SQLite hosts only).
 * @throws MigrationError MIGRATION_FAILED naming the migration that failed (a raw-SQL one on PostgreSQL too).
 */
export function migratePlugin(layer: QueryLayer, sqlite: Db | undefined, owner: string, migrations: readonly AnyPluginMigration[]): Promise<number[]> {
  const schema: SchemaMigration[] = migrations.map((m) => ({ version: m.version, name: m.name, up: (trx) => runSide(m, 'up', trx, layer, sqlite) }));
  return migrateSchema(layer, owner, schema);
}

/**
 * Undoes the applied migrations of `owner`, newest first, each `down` in its own transaction
 * with the removal of its record. Before anything runs, every applied migration must have a
 * `down`, or MigrationError MIGRATION_NO_DOWN names the first that lacks one. Returns the
 * versions undone.
 * @throws MigrationError MIGRATION_FAILED when a `down` throws (its transaction rolled back).
 */
export async function unmigratePlugin(layer: QueryLayer, sqlite: Db | undefined, owner: string, migrations: readonly AnyPluginMigration[]): Promise<number[]> {
  const db = layer.db as Kysely<any>;
  const rows = await db.selectFrom('schema_migrations').select('version').where('owner', '=', owner).execute();
  const applied = new Set(rows.map((r) => Number(r.version)));
  const todo = migrations.filter((m) => applied.has(m.version)).sort((a, b) => b.version - a.version);
  const missing = todo.find((m) => typeof m.down !== 'function');
  if (missing) throw new MigrationError(owner, asRecord(missing), new Error('it has no down() to undo it'), 'MIGRATION_NO_DOWN');
  const undone: number[] = [];
  for (const m of todo) {
    try {
      await db.transaction().execute(async (trx) => {
        await runSide(m, 'down', trx, layer, sqlite);
        await trx.deleteFrom('schema_migrations').where('owner', '=', owner).where('version', '=', m.version).execute();
      });
    } catch (error) {
      throw new MigrationError(owner, asRecord(m), error);
    }
    undone.push(m.version);
  }
  return undone;
}

/** MigrationError names a migration by version and name only. */
function asRecord(m: AnyPluginMigration): Migration {
  return { version: m.version, name: m.name, up: () => {} };
}
