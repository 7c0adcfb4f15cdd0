import { WebhookValidationError } from '../errors.js';
import { secretKey } from '../delivery/signing.js';

/** A webhook as stored. `secret` never leaves the service except where asked for explicitly. */
export interface Webhook {
  id: number;
  name: string;
  url: string;
  event: string;
  active: boolean;
  /** Why it was disabled automatically ('gone' for HTTP 410, 'failing' after the window), else null. */
  disabled_reason: string | null;
  disabled_at: number | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires: number | null;
  event_count: number;
  last_status: 'success' | 'failure' | null;
  last_http_status: number | null;
  last_delivery_at: number | null;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookInput {
  name?: unknown;
  url?: unknown;
  event?: unknown;
  active?: unknown;
  /** A signing secret to use instead of a generated one (`whsec_` + base64 of 24–64 bytes, or the bare base64). */
  secret?: unknown;
}

export interface ValidWebhookInput {
  name: string;
  url: string;
  event: string;
  active: boolean;
  secret?: string;
}

/**
 * Validates a webhook's fields: name ≥ 2 characters, URL absolute http(s) without
 * credentials, event a registered slug. Collects every error, per field.
 */
export function validateWebhook(input: WebhookInput, isKnownEvent: (slug: string) => boolean, partial = false): Partial<ValidWebhookInput> {
  const errors: Record<string, string> = {};
  const out: Partial<ValidWebhookInput> = {};
  if (!partial || input.name !== undefined) {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name.length < 2) errors.name = 'Give the webhook a name of at least 2 characters.';
    else if (name.length > 200) errors.name = 'The name can have at most 200 characters.';
    else out.name = name;
  }
  if (!partial || input.url !== undefined) {
    const raw = typeof input.url === 'string' ? input.url.trim() : '';
    const problem = urlProblem(raw);
    if (problem) errors.url = problem;
    else out.url = new URL(raw).href;
  }
  if (!partial || input.event !== undefined) {
    const event = typeof input.event === 'string' ? input.event.trim() : '';
    if (!event) errors.event = 'Choose the event that triggers this webhook.';
    else if (!isKnownEvent(event)) errors.event = `“${event}” is not a registered event.`;
    else out.event = event;
  }
  if (input.active !== undefined) {
    if (typeof input.active !== 'boolean') errors.active = 'Active must be true or false.';
    else out.active = input.active;
  } else if (!partial) {
    out.active = true;
  }
  if (input.secret !== undefined) {
    const parsed = secretKey(input.secret);
    if ('problem' in parsed) errors.secret = parsed.problem;
    else out.secret = input.secret as string;
  }
  if (Object.keys(errors).length) throw new WebhookValidationError(errors);
  return out;
}

function urlProblem(raw: string): string | undefined {
  if (!raw) return 'Enter the URL that will receive the payloads.';
  if (raw.length > 2000) return 'The URL can have at most 2000 characters.';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Enter an absolute URL, such as https://example.com/hooks.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The URL must start with http:// or https://.';
  if (url.username || url.password) return 'Do not put credentials in the URL; the payloads are signed instead.';
  if (!url.hostname) return 'The URL needs a host name.';
  return undefined;
}
