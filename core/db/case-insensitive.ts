import { sql, type Expression, type SqlBool } from 'kysely';
import type { DialectName } from './query-layer.js';

/**
 * `column = value` without regard to case, for the columns `uniqueIgnoringCase` made unique
 * (logins, emails, slugs): SQLite compares them NOCASE already (the column's collation);
 * PostgreSQL compares `lower(column)` (what its unique index holds) with `lower(value)`.
 */
export function equalsIgnoringCase(dialect: DialectName, column: string, value: string): Expression<SqlBool> {
  return dialect === 'postgres' ? sql<SqlBool>`lower(${sql.ref(column)}) = lower(${value})` : sql<SqlBool>`${sql.ref(column)} = ${value}`;
}

/**
 * `column LIKE pattern` without regard to (ASCII) case on both backends: SQLite's LIKE already
 * ignores it; PostgreSQL's ILIKE.
 */
export function likeIgnoringCase(dialect: DialectName, column: string, pattern: string): Expression<SqlBool> {
  return dialect === 'postgres' ? sql<SqlBool>`${sql.ref(column)} ILIKE ${pattern}` : sql<SqlBool>`${sql.ref(column)} LIKE ${pattern}`;
}

/** An ORDER BY key for a case-insensitive column: itself on SQLite (NOCASE), `lower(column)` on PostgreSQL. */
export function orderIgnoringCase(dialect: DialectName, column: string) {
  return dialect === 'postgres' ? sql`lower(${sql.ref(column)})` : sql.ref(column);
}
