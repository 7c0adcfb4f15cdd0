import { stripControlChars, TEXT_LIMITS, tooLong } from '../../../core/plugin-sdk.js';
import { WebhookValidationError, type WebhookErrorCode } from '../errors.js';
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
  /** Who created it: 'manual' (the admin screens, the CLI) or an integration's slug ('zapier'…). */
  integration: string;
  /** Hidden webhooks are left out of the admin list unless asked for (integrations' own subscriptions). */
  hidden: boolean;
  /** Extra request headers the receiver wants (e.g. Authorization), sent with every delivery. */
  headers: WebhookHeader[];
}

/** One custom request header of a webhook. */
export interface WebhookHeader {
  name: string;
  value: string;
}

export interface WebhookInput {
  name?: unknown;
  url?: unknown;
  event?: unknown;
  active?: unknown;
  /** A signing secret to use instead of a generated one (`whsec_` + base64 of 24–64 bytes, or the bare base64). */
  secret?: unknown;
  integration?: unknown;
  hidden?: unknown;
  /** `[{ name, value }]`, or an object of name → value. */
  headers?: unknown;
}

export interface ValidWebhookInput {
  name: string;
  url: string;
  event: string;
  active: boolean;
  secret?: string;
  integration: string;
  hidden: boolean;
  headers: WebhookHeader[];
}

/**
 * Names a webhook may not set: hop-by-hop (RFC 9110 §7.6.1), framing, and every name undici's
 * Request refuses to send (node_modules/undici/lib/core/request.js processHeader: host,
 * content-length, transfer-encoding, keep-alive, upgrade, connection, expect).
 */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'expect'];
/**
 * RFC 9110 §5.5 field-value: field-vchar (VCHAR) with SP/HTAB only between them (the value is
 * trimmed first). obs-text (0x80–0xFF) is refused: senders must not generate it, and receivers
 * read it as Latin-1 at best — undici would send other non-ASCII text not at all.
 */
const FIELD_VALUE_RE = /^(?:[\x21-\x7e](?:[\t\x20-\x7e]*[\x21-\x7e])?)?$/;
const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/**
 * The largest id (and page number) the plugin accepts: PostgreSQL's `integer`, the type of its
 * id columns, so SQLite and PostgreSQL refuse the same values the same way (a bigger one would
 * be an integer overflow on PostgreSQL and a float SQLite refuses as a datatype mismatch).
 */
export const MAX_ID = 2_147_483_647;

export const MAX_CUSTOM_HEADERS = 20;

/**
 * The longest name and URL a webhook may have, in characters (UTF-16 code units, as a browser's
 * `maxlength` counts them): validateWebhook refuses longer ones, and the admin form and the REST
 * schema declare the same numbers, so a browser stops the typing where the server would refuse.
 */
export const MAX_NAME_LENGTH = TEXT_LIMITS.name;
export const MAX_URL_LENGTH = 2000;

/** Why a custom header name is refused, or undefined when it is allowed. */
export function headerNameProblem(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (!TOKEN_RE.test(name)) return `“${name}” is not a valid header name (letters, digits and - _ . ! # $ % & ' * + ^ \` | ~).`;
  if (HOP_BY_HOP.includes(lower)) return `${name} is a hop-by-hop or framing header that Hookpress's HTTP client sets itself; it cannot be set.`;
  if (lower === 'user-agent') return `User-Agent identifies Hookpress to the receiver and cannot be overridden; send your own identification in another header.`;
  if (lower.startsWith('content-')) return `${name} describes the body, which Hookpress sets; it cannot be overridden.`;
  if (lower.startsWith('webhook-') || lower.startsWith('x-hookpress-')) return `${name} belongs to the signature headers and cannot be overridden.`;
  return undefined;
}

/** The first character a header value may not hold, for the error message. */
function describeBadChar(value: string): string {
  const bad = [...value].find((c) => !/[\t\x20-\x7e]/.test(c)) ?? '';
  const code = `U+${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  return /\p{Cc}/u.test(bad) ? code : `“${bad}” (${code})`;
}

/**
 * How a saved custom header value is shown back (API, edit screen, delivery log): fully masked,
 * with the last 4 characters only when the value has at least 16, so a short secret shows nothing.
 */
export function maskHeaderValue(value: string): string {
  return value.length >= 16 ? `••••${value.slice(-4)}` : '••••';
}

/**
 * Headers as sent back by a client that echoed the masked values it was given: a value equal to
 * the mask of the saved value of the same name keeps the saved value.
 */
export function unmaskHeaders(incoming: unknown, saved: readonly WebhookHeader[]): unknown {
  if (!Array.isArray(incoming)) return incoming;
  return incoming.map((h: unknown) => {
    const { name, value } = (h ?? {}) as { name?: unknown; value?: unknown };
    if (typeof name !== 'string' || typeof value !== 'string') return h;
    const old = saved.find((s) => s.name.toLowerCase() === name.trim().toLowerCase());
    return old && value === maskHeaderValue(old.value) ? { ...(h as object), value: old.value } : h;
  });
}

/**
 * Validates custom headers: `[{ name, value }]` or `{ name: value }`. Returns the headers, or
 * undefined after pushing into `problems` one message per bad header, each naming it (by name,
 * or by position when it has none) — every bad header at once, as the other fields are reported.
 */
function validateHeaders(raw: unknown, problems: string[]): WebhookHeader[] | undefined {
  if (!Array.isArray(raw) && (raw === null || typeof raw !== 'object')) {
    problems.push('Headers must be a list of { name, value } pairs.');
    return undefined;
  }
  const list: unknown[] = Array.isArray(raw) ? raw : Object.entries(raw).map(([name, value]) => ({ name, value }));
  if (list.length > MAX_CUSTOM_HEADERS) {
    problems.push(`A webhook can have at most ${MAX_CUSTOM_HEADERS} custom headers.`);
    return undefined;
  }
  const out: WebhookHeader[] = [];
  const seen = new Set<string>();
  list.forEach((h, i) => {
    const name = typeof (h as WebhookHeader)?.name === 'string' ? (h as WebhookHeader).name.trim() : '';
    const value = (h as WebhookHeader)?.value;
    if (!name && (value === undefined || value === '')) return;
    const problem = name ? headerNameProblem(name) : `Header ${i + 1} needs a name.`;
    if (problem) problems.push(problem);
    else if (typeof value !== 'string' || value.length > 4000) problems.push(`The value of ${name} must be text of at most 4000 characters on one line.`);
    else if (!FIELD_VALUE_RE.test(value.trim())) problems.push(`The value of ${name} can only hold visible ASCII characters, spaces and tabs (RFC 9110 field value); it has ${describeBadChar(value.trim())}.`);
    else if (seen.has(name.toLowerCase())) problems.push(`${name} is given twice.`);
    else {
      seen.add(name.toLowerCase());
      out.push({ name, value: value.trim() });
    }
  });
  return problems.length ? undefined : out;
}

/**
 * Validates a webhook's fields: name ≥ 2 characters (NUL and other control characters removed
 * first, as the admin form removes them — so every entry point, REST and CLI included, stores
 * the same), URL absolute http(s) without credentials and not refused by `refuseUrl` (the
 * save-time SSRF check, given the URL as typed; code EBLOCKED), event a registered slug (code
 * EVENT_UNKNOWN). Collects every error, per field, so one WebhookValidationError reports them
 * all — a caller never fixes one field only to meet the next.
 */
export function validateWebhook(
  input: WebhookInput,
  isKnownEvent: (slug: string) => boolean,
  partial = false,
  refuseUrl: (url: string) => string | undefined = () => undefined,
): Partial<ValidWebhookInput> {
  const errors: Record<string, string | string[]> = {};
  const codes: Partial<Record<string, WebhookErrorCode>> = {};
  const out: Partial<ValidWebhookInput> = {};
  if (!partial || input.name !== undefined) {
    const name = typeof input.name === 'string' ? stripControlChars(input.name).trim() : '';
    if (name.length < 2) errors.name = 'Give the webhook a name of at least 2 characters.';
    else if (name.length > MAX_NAME_LENGTH) errors.name = tooLong('The name', name, MAX_NAME_LENGTH);
    else out.name = name;
  }
  if (!partial || input.url !== undefined) {
    const raw = typeof input.url === 'string' ? input.url.trim() : '';
    const problem = urlProblem(raw);
    const refused = problem ? undefined : refuseUrl(raw);
    if (problem) errors.url = problem;
    else if (refused) [errors.url, codes.url] = [refused, 'EBLOCKED'];
    else out.url = new URL(raw).href;
  }
  if (!partial || input.event !== undefined) {
    const event = typeof input.event === 'string' ? input.event.trim() : '';
    if (!event) errors.event = 'Choose the event that triggers this webhook.';
    else if (!isKnownEvent(event)) [errors.event, codes.event] = [`“${event}” is not a registered event.`, 'EVENT_UNKNOWN'];
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
  if (input.integration !== undefined || !partial) {
    const integration = input.integration === undefined ? 'manual' : input.integration;
    if (typeof integration !== 'string' || !/^[a-z0-9_-]{1,40}$/.test(integration)) errors.integration = 'The integration is a slug of 1–40 lowercase letters, digits, - or _ (e.g. manual, zapier).';
    else out.integration = integration;
  }
  if (input.hidden !== undefined) {
    if (typeof input.hidden !== 'boolean') errors.hidden = 'Hidden must be true or false.';
    else out.hidden = input.hidden;
  } else if (!partial) {
    out.hidden = false;
  }
  if (input.headers !== undefined) {
    const problems: string[] = [];
    const headers = validateHeaders(input.headers, problems);
    if (headers) out.headers = headers;
    else errors.headers = problems;
  } else if (!partial) {
    out.headers = [];
  }
  if (Object.keys(errors).length) throw new WebhookValidationError(errors, codes);
  return out;
}

function urlProblem(raw: string): string | undefined {
  if (!raw) return 'Enter the URL that will receive the payloads.';
  if (raw.length > MAX_URL_LENGTH) return tooLong('The URL', raw, MAX_URL_LENGTH);
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
