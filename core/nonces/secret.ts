import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { StartupError } from '../db/startup-checks.js';
import type { CoreTables } from '../db/tables.js';

/**
 * The host's secret (nonces, session cookies): generated at first start and kept in
 * DATA_DIR/secret.key with owner-only permissions. In-memory hosts get a fresh one.
 * @throws StartupError STARTUP_SECRET_INVALID when the file exists but cannot be read or is not a key
 */
export function loadOrCreateSecret(dataDir: string): Buffer {
  if (dataDir === ':memory:') return randomBytes(32);
  const file = path.join(dataDir, 'secret.key');
  let existing: string | undefined;
  try {
    existing = fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      throw new StartupError('STARTUP_SECRET_INVALID', `The secret key file ${file} cannot be read (${code}). Give the user running Hookpress read access to it (it should be mode 600, owned by that user).`, file, { cause: error });
    }
  }
  if (existing !== undefined) {
    // Never replaced silently: a new key logs everyone out and expires every open form.
    if (!/^[A-Za-z0-9+/]{43,}={0,2}$/.test(existing) || Buffer.from(existing, 'base64').length < 32) {
      throw new StartupError(
        'STARTUP_SECRET_INVALID',
        `The secret key file ${file} is not a valid key (it must hold at least 32 random bytes in base64, as Hookpress writes it). Restore it from your backup, or delete it to have a new one generated at the next start (everyone is logged out and open forms expire). To write one yourself: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))" > ${file}`,
        file,
      );
    }
    return Buffer.from(existing, 'base64');
  }
  const secret = randomBytes(32);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, secret.toString('base64') + '\n', { mode: 0o600 });
  return secret;
}

/**
 * The host's secret on a database every host process shares (PostgreSQL): the row
 * `host_secrets.secret_key` (32 random bytes, base64). The first process to start inserts one
 * (INSERT … ON CONFLICT DO NOTHING), then every process reads the row that won, so concurrent
 * first starts agree on one key. Never replaced (a new key would log everyone out).
 * @throws StartupError STARTUP_SECRET_INVALID when the stored value is not a key of at least 32 bytes
 */
export async function loadOrCreateSharedSecret(db: Kysely<CoreTables>): Promise<Buffer> {
  await db
    .insertInto('host_secrets')
    .values({ name: SECRET_ROW, value: randomBytes(32).toString('base64') })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('host_secrets').select('value').where('name', '=', SECRET_ROW).executeTakeFirstOrThrow();
  const key = Buffer.from(row.value, 'base64');
  if (key.length < 32) {
    throw new StartupError('STARTUP_SECRET_INVALID', `The secret key in the database (host_secrets.${SECRET_ROW}) is not a valid key: it must hold at least 32 random bytes in base64. Delete the row to have a new one generated at the next start (everyone is logged out and open forms expire).`, `host_secrets.${SECRET_ROW}`);
  }
  return key;
}

const SECRET_ROW = 'secret_key';
