/**
 * Whether `error` (or an error it wraps, through `cause`) is a unique-constraint violation on
 * `table.column`, on either backend: SQLite `SQLITE_CONSTRAINT_UNIQUE` ("UNIQUE constraint
 * failed: table.column"), PostgreSQL SQLSTATE 23505 on the constraint or index
 * `{table}_{column}_ci` (uniqueIgnoringCase) or `{table}_{column}_key`. Lets a service answer a
 * row that another process inserted between its check and its insert with the same error the
 * check gives.
 */
export function isUniqueViolation(error: unknown, table: string, column: string): boolean {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message, constraint } = e as { code?: unknown; message?: unknown; constraint?: unknown };
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof message === 'string' && new RegExp(`\\b${table}\\.${column}\\b`).test(message)) return true;
    if (code === '23505' && (constraint === `${table}_${column}_ci` || constraint === `${table}_${column}_key`)) return true;
  }
  return false;
}
