import type { Db } from '../../core/db/database.js';
import { sqliteQueryLayer } from '../../core/db/query-layer.js';
import { migratePlugin } from '../../core/plugins/plugin-migrations.js';
import { webhookMigrations } from '../../plugins/webhooks/data/migrations.js';
import type { TestDb } from './backends.js';

/** The owner the host records the webhooks plugin's migrations under. */
export const WEBHOOKS_OWNER = 'plugin:webhooks';

/** Applies the webhooks plugin's migrations to a test database (either backend), as `api.migrate` does. */
export function webhooksSchema(t: TestDb): Promise<number[]> {
  return migratePlugin(t.layer, t.sync, WEBHOOKS_OWNER, webhookMigrations);
}

/** The same on a bare synchronous SQLite handle (tests that open database files themselves). */
export async function webhooksSchemaOnSqlite(db: Db): Promise<number[]> {
  const layer = sqliteQueryLayer(db);
  try {
    return await migratePlugin(layer, db, WEBHOOKS_OWNER, webhookMigrations);
  } finally {
    await layer.close();
  }
}

/**
 * An SQLite schema as comparable data, free of how its SQL was spelled (quotes, case, spacing,
 * clause order): per table its columns (PRAGMA table_xinfo: name, type, not null, default,
 * primary key), AUTOINCREMENT, foreign keys, and indexes (name, unique, origin, partial, key
 * columns in order, and a partial index's WHERE clause normalized). `schema_migrations` and
 * SQLite's own tables are left out.
 */
export function sqliteSchema(db: Db): Record<string, unknown> {
  const tables = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY name")
    .all() as Array<{ name: string; sql: string }>;
  const out: Record<string, unknown> = {};
  for (const t of tables) {
    const columns = (db.pragma(`table_xinfo(${t.name})`) as Array<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number; hidden: number }>).map(
      (c) => ({ name: c.name, type: c.type.toUpperCase(), notnull: c.notnull, dflt: c.dflt_value, pk: c.pk, hidden: c.hidden }),
    );
    const foreignKeys = (db.pragma(`foreign_key_list(${t.name})`) as Array<Record<string, unknown>>).map(({ id: _id, seq: _seq, ...fk }) => fk);
    const indexes = (db.pragma(`index_list(${t.name})`) as Array<{ name: string; unique: number; origin: string; partial: number }>)
      .map((i) => ({
        name: i.name,
        unique: i.unique,
        origin: i.origin,
        partial: i.partial,
        columns: (db.pragma(`index_info(${i.name})`) as Array<{ seqno: number; name: string }>).sort((a, b) => a.seqno - b.seqno).map((c) => c.name),
        where: i.partial ? whereClause(db, i.name) : null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    out[t.name] = { columns, autoincrement: /\bautoincrement\b/i.test(t.sql), foreignKeys, indexes };
  }
  const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY name").all();
  return { tables: out, triggersAndViews: triggers };
}

/** A partial index's WHERE clause: lower case, identifiers unquoted, single spaces. */
function whereClause(db: Db, index: string): string {
  const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(index) as { sql: string };
  const where = /\bwhere\b([\s\S]*)$/i.exec(sql)?.[1] ?? '';
  return where.replace(/"/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}
