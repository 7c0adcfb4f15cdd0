import { createHmac, randomBytes } from 'node:crypto';
import type { Webhook } from '../model/webhook.js';

/**
 * Secrets are Standard Webhooks': "whsec_" + base64 of 24–64 random bytes. Without the prefix
 * a secret is read as the reference libraries (`standardwebhooks`, `svix`) read it: the whole
 * string as base64. Anything else — bad base64, a key too short or long — is refused, never
 * silently cut to another (or an empty) key.
 */
export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
/** Strict base64 (RFC 4648 §4): the alphabet, whole quads, padding only at the end. */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** The HMAC key of a secret, or a sentence saying why it is not a valid secret. */
export function secretKey(secret: unknown): { key: Buffer } | { problem: string } {
  if (typeof secret !== 'string' || secret.length === 0) return { problem: 'Enter a signing secret (whsec_ followed by base64).' };
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!encoded || !STRICT_BASE64.test(encoded)) return { problem: 'A signing secret is whsec_ followed by base64 (A–Z, a–z, 0–9, +, /, = padding).' };
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    return { problem: `A signing secret must hold ${MIN_KEY_BYTES}–${MAX_KEY_BYTES} bytes of key; this one holds ${key.length}.` };
  }
  return { key };
}

export function isValidSecret(secret: unknown): boolean {
  return 'key' in secretKey(secret);
}

/**
 * One Standard Webhooks signature: "v1," + base64 HMAC-SHA256 of "{id}.{timestamp}.{body}".
 * `body` is a string (signed as its UTF-8) or the exact bytes (the inspector verifies what it
 * received, valid UTF-8 or not).
 * Throws (TypeError) for an invalid secret: an empty or cut key would sign what anyone can forge.
 */
export function sign(secret: string, msgId: string, timestamp: number, body: string | Uint8Array): string {
  const parsed = secretKey(secret);
  if (!('key' in parsed)) throw new TypeError(`Refusing to sign with an invalid secret: ${parsed.problem}`);
  const mac = createHmac('sha256', parsed.key).update(`${msgId}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** The webhook-signature header: one signature per valid secret, space-separated (rotation). */
export function signatureHeader(secrets: readonly string[], msgId: string, timestamp: number, body: string): string {
  return secrets.map((s) => sign(s, msgId, timestamp, body)).join(' ');
}

/**
 * The secrets a webhook signs and verifies with at `now` (ms): the current one, and the
 * previous one only while its grace period lasts — after that, neither signing nor verifying.
 */
export function liveSecrets(w: Pick<Webhook, 'secret' | 'previous_secret' | 'previous_secret_expires'>, now: number): string[] {
  const secrets = [w.secret];
  if (w.previous_secret && (w.previous_secret_expires ?? 0) > now) secrets.push(w.previous_secret);
  return secrets;
}
