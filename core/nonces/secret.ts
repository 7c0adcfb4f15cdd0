import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The host's secret (nonces, session cookies): generated at first start and kept in
 * DATA_DIR/secret.key with owner-only permissions. In-memory hosts get a fresh one.
 */
export function loadOrCreateSecret(dataDir: string): Buffer {
  if (dataDir === ':memory:') return randomBytes(32);
  const file = path.join(dataDir, 'secret.key');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 43) return Buffer.from(existing, 'base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32);
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, secret.toString('base64') + '\n', { mode: 0o600 });
  return secret;
}
