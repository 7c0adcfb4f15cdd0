import { sql } from 'kysely';
import type { QueryLayer } from './query-layer.js';
import { redactDatabaseUrl } from './redact-url.js';
import { StartupError } from './startup-checks.js';

/**
 * What an operator can do about a first connection that failed, from the driver's error: the
 * TLS cases (sslmode against a server without TLS, a certificate that cannot be verified), an
 * unreachable server, a refused login, a missing database (SQLSTATEs 28P01, 28000, 3D000).
 */
export function postgresStartupHint(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (/does not support SSL/i.test(text)) {
    return 'Enable TLS on the server, or remove sslmode from DATABASE_URL (sslmode=disable) if the network between them is trusted.';
  }
  if (/certificate|self[- ]signed|CERT_|UNABLE_TO_(GET|VERIFY)/i.test(`${text} ${String(code)}`)) {
    return "The server's TLS certificate could not be verified: name the CA that signed it with sslrootcert=/path/to/ca.pem in DATABASE_URL, and check that the host name in the URL is the one in the certificate.";
  }
  if (code === '28P01' || code === '28000') return 'The server refused the login: check the user name and password in DATABASE_URL, and pg_hba.conf on the server.';
  if (code === '3D000') return 'The database does not exist: create it (createdb <name>) or name an existing one in DATABASE_URL.';
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return 'Check the host and port in DATABASE_URL, and that PostgreSQL is running and accepts connections from this machine.';
  return 'Check DATABASE_URL and that the PostgreSQL server is running.';
}

/**
 * Start-up on PostgreSQL: one round trip (`SELECT 1`) before anything else, so a DATABASE_URL
 * the host cannot use stops `npm start` with one line — the database (password redacted), the
 * driver's reason and what to do — instead of a stack trace. Closes `query` when it fails.
 * @throws StartupError STARTUP_DATABASE_UNUSABLE
 */
export async function checkPostgresReachable(query: QueryLayer, url: string): Promise<void> {
  try {
    await sql`SELECT 1`.execute(query.db);
  } catch (error) {
    await query.close().catch(() => undefined);
    const where = redactDatabaseUrl(url);
    const { code, message } = error as { code?: unknown; message?: unknown };
    const reason = `${typeof message === 'string' && message ? message : 'the connection failed'}${typeof code === 'string' ? ` [${code}]` : ''}`;
    throw new StartupError('STARTUP_DATABASE_UNUSABLE', `cannot use the PostgreSQL database ${where} (DATABASE_URL): ${reason}. ${postgresStartupHint(error)}`, where, { cause: error });
  }
}
