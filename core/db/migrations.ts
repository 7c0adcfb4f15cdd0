import { HookpressError } from '../errors.js';
import '../error-codes.js';
import type { Db } from './database.js';

/** One schema change of one owner (core or a plugin), identified by its version number. */
export interface Migration {
  version: number;
  name: string;
  up: (db: Db) => void;
  /** Undoes `up` (drops what it created); run by `unmigrate` when the plugin is uninstalled. */
  down?: (db: Db) => void;
}

/**
 * A migration that threw (code MIGRATION_FAILED; its transaction was rolled back), or one
 * that `unmigrate` cannot undo because it has no `down` (MIGRATION_NO_DOWN).
 */
export class MigrationError extends HookpressError<'MIGRATION_FAILED' | 'MIGRATION_NO_DOWN'> {
  constructor(owner: string, migration: Migration, cause: unknown, code: 'MIGRATION_FAILED' | 'MIGRATION_NO_DOWN' = 'MIGRATION_FAILED') {
    super(code, `Migration ${owner}#${migration.version} (${migration.name}) ${code === 'MIGRATION_NO_DOWN' ? 'cannot be undone' : 'failed'}: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
    this.name = 'MigrationError';
  }
}

/**
 * Applies the migrations of `owner` that are not recorded yet, each in its own transaction
 * together with its record, in version order. Running it again does nothing.
 * Returns the versions applied.
 */
export function migrate(db: Db, owner: string, migrations: readonly Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    owner TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (owner, version)
  )`);
  const versions = new Set<number>();
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version < 1) {
      throw new Error(`Migration versions of "${owner}" must be positive integers; got ${m.version}.`);
    }
    if (versions.has(m.version)) throw new Error(`Migration version ${m.version} of "${owner}" is listed twice.`);
    versions.add(m.version);
  }
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations WHERE owner = ?').all(owner) as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  );
  const record = db.prepare('INSERT INTO schema_migrations (owner, version, name, applied_at) VALUES (?, ?, ?, ?)');
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    try {
      db.transaction(() => {
        m.up(db);
        record.run(owner, m.version, m.name, Date.now());
      })();
    } catch (error) {
      throw new MigrationError(owner, m, error);
    }
    applied.push(m.version);
  }
  return applied;
}

/**
 * Undoes the applied migrations of `owner`, newest first, each `down` in its own transaction
 * with the removal of its record. Before anything runs, every applied migration must have a
 * `down`, or a MigrationError `MIGRATION_NO_DOWN` names the first that lacks one.
 * Returns the versions undone.
 */
export function unmigrate(db: Db, owner: string, migrations: readonly Migration[]): number[] {
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations WHERE owner = ?").all(owner) as Array<{ version: number }>).map((r) => r.version),
  );
  const todo = [...migrations].filter((m) => applied.has(m.version)).sort((a, b) => b.version - a.version);
  const missing = todo.find((m) => typeof m.down !== 'function');
  if (missing) {
    throw new MigrationError(owner, missing, new Error('it has no down() to undo it'), 'MIGRATION_NO_DOWN');
  }
  const forget = db.prepare('DELETE FROM schema_migrations WHERE owner = ? AND version = ?');
  const undone: number[] = [];
  for (const m of todo) {
    try {
      db.transaction(() => {
        m.down!(db);
        forget.run(owner, m.version);
      })();
    } catch (error) {
      throw new MigrationError(owner, m, error);
    }
    undone.push(m.version);
  }
  return undone;
}
