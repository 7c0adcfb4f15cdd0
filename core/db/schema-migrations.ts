import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import { MigrationError } from './migrations.js';
import type { DialectName, QueryLayer } from './query-layer.js';
import { withoutQueryTimeout } from './query-timeout.js';

/**
 * One schema change written once for both backends with Kysely's schema builder. `dialect` is
 * for the few places the databases differ (an auto-increment key, a case-insensitive unique
 * column); raw SQL only there.
 */
export interface SchemaMigration {
  version: number;
  name: string;
  // Migrations see the database as it was at their version, not as today's table types say.
  up: (db: Kysely<any>, dialect: DialectName) => Promise<void>;
}

/** Any lock key: the one PostgreSQL advisory lock all migrating processes take (one at a time). */
const MIGRATION_LOCK = 7_301_113;

/**
 * Applies the migrations of `owner` that are not recorded in `schema_migrations` yet, in
 * version order, each in its own transaction together with its record (PostgreSQL and SQLite
 * both roll DDL back). Running it again does nothing; two processes running it at once apply
 * each migration once (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock, then the record
 * is read again). Returns the versions applied.
 * @throws MigrationError (MIGRATION_FAILED) naming the migration that failed, its cause attached.
 */
export async function migrateSchema(layer: QueryLayer, owner: string, migrations: readonly SchemaMigration[]): Promise<number[]> {
  // Migrations wait for each other's lock and may rewrite big tables: exempt from DB_QUERY_TIMEOUT_MS.
  return withoutQueryTimeout(() => applyMigrations(layer, owner, migrations));
}

async function applyMigrations(layer: QueryLayer, owner: string, migrations: readonly SchemaMigration[]): Promise<number[]> {
  const db = layer.db as Kysely<any>;
  checkVersions(owner, migrations);
  // PostgreSQL: two processes creating the table at once collide even with IF NOT EXISTS; under the lock they take turns.
  await db.transaction().execute(async (trx) => {
    if (layer.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await trx.schema
      .createTable('schema_migrations')
      .ifNotExists()
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('schema_migrations_pkey', ['owner', 'version'])
      .execute();
  });
  const recorded = async (q: Kysely<any>) => new Set((await q.selectFrom('schema_migrations').select('version').where('owner', '=', owner).execute()).map((r) => Number(r.version)));
  const done = await recorded(db);
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    try {
      const ran = await db.transaction().execute(async (trx) => {
        if (layer.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
        // Another process may have applied it while we waited for the lock.
        if ((await recorded(trx)).has(m.version)) return false;
        await m.up(trx, layer.dialect);
        await trx.insertInto('schema_migrations').values({ owner, version: m.version, name: m.name, applied_at: Date.now() }).execute();
        return true;
      });
      if (ran) applied.push(m.version);
    } catch (error) {
      throw new MigrationError(owner, { version: m.version, name: m.name, up: () => {} }, error);
    }
  }
  return applied;
}

function checkVersions(owner: string, migrations: readonly SchemaMigration[]): void {
  const versions = new Set<number>();
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version < 1) throw new Error(`Migration versions of "${owner}" must be positive integers; got ${m.version}.`);
    if (versions.has(m.version)) throw new Error(`Migration version ${m.version} of "${owner}" is listed twice.`);
    versions.add(m.version);
  }
}

/**
 * Adds the auto-increment integer primary key `id`: SQLite INTEGER PRIMARY KEY AUTOINCREMENT
 * (ids are never reused), PostgreSQL an identity column. Use with `createTable(…).$call(withId(dialect))`.
 */
export function withId(dialect: DialectName) {
  return <TB extends string>(table: CreateTableBuilder<TB, never>): CreateTableBuilder<TB, 'id'> =>
    table.addColumn('id', 'integer', (c) => (dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()));
}

/**
 * A text column unique without regard to case (logins, emails, slugs): SQLite `UNIQUE COLLATE
 * NOCASE` on the column (comparisons on it ignore case too); PostgreSQL a unique index on
 * `lower(column)` (queries compare `lower(column)`).
 */
export async function uniqueIgnoringCase(db: Kysely<any>, dialect: DialectName, table: string, column: string): Promise<void> {
  if (dialect === 'postgres') {
    await db.schema.createIndex(`${table}_${column}_ci`).on(table).unique().expression(sql`lower(${sql.ref(column)})`).execute();
  }
}
