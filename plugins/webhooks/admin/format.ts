import type { AdminUi, SafeHtml } from '../../../core/plugin-sdk.js';
import type { Delivery } from '../data/deliveries-store.js';
import type { Webhook } from '../model/webhook.js';
import type { TestResult } from '../api.js';

/** "3 minutes ago", "in 5 hours" — relative to `now`. */
export function relativeTime(at: number | null, now: number): string {
  if (at === null) return 'never';
  const diff = at - now;
  const abs = Math.abs(diff);
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [ms, name] of units) {
    if (abs >= ms || name === 'second') {
      const n = Math.max(1, Math.floor(abs / ms));
      const label = `${n} ${name}${n === 1 ? '' : 's'}`;
      return abs < 1000 ? 'just now' : diff < 0 ? `${label} ago` : `in ${label}`;
    }
  }
  return '';
}

export function isoTime(at: number | null): string {
  return at === null ? '' : new Date(at).toISOString();
}

export function dateTime(at: number | null): string {
  return at === null ? '—' : new Date(at).toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
}

/** Long URLs shortened in the middle; the full URL goes in a title. */
export function shortUrl(url: string, max = 48): string {
  if (url.length <= max) return url;
  const keep = Math.floor((max - 1) / 2);
  return `${url.slice(0, keep)}…${url.slice(url.length - keep)}`;
}

export function webhookStatusBadge(ui: AdminUi, w: Webhook): SafeHtml {
  if (w.disabled_reason === 'gone') return ui.html`<span class="badge badge-error">Disabled: endpoint gone (410)</span>`;
  if (w.disabled_reason === 'failing') return ui.html`<span class="badge badge-error">Disabled: failing</span>`;
  return w.active ? ui.html`<span class="badge badge-success">Active</span>` : ui.html`<span class="badge">Inactive</span>`;
}

const DELIVERY_BADGES: Record<string, [string, string]> = {
  succeeded: ['badge-success', 'Succeeded'],
  failed: ['badge-error', 'Failed'],
  pending: ['badge-warning', 'Pending'],
  cancelled: ['', 'Cancelled'],
};

/**
 * Whether a pending delivery is in a worker's hands: a claim leases it (lease_until set, and its
 * next_attempt_at moved to the lease's end, which is not when anything will happen). Given
 * `now` (ms), a lease that ran out (its process died) no longer counts: the delivery is due again.
 */
export function isInFlight(d: Pick<Delivery, 'status' | 'lease_until'>, now?: number): boolean {
  return d.status === 'pending' && d.lease_until !== null && d.lease_until !== undefined && (now === undefined || d.lease_until > now);
}

/** When the next attempt is due, for people: null when none is planned or one is being sent now. */
export function nextAttemptAt(d: Pick<Delivery, 'status' | 'lease_until' | 'next_attempt_at'>, now?: number): number | null {
  return d.status === 'pending' && !isInFlight(d, now) ? d.next_attempt_at : null;
}

/** The status badge: in flight → "Sending…"; pending after a Resend → "(resend)"; after a failed attempt → "(retrying)". */
export function deliveryStatusBadge(ui: AdminUi, d: Pick<Delivery, 'status' | 'attempts' | 'is_test' | 'lease_until' | 'next_trigger'>, now?: number): SafeHtml {
  const test = d.is_test ? ui.html` <span class="badge badge-info">Test</span>` : '';
  if (isInFlight(d, now)) return ui.html`<span class="badge badge-info">Sending…</span>${test}`;
  const [cls, label] = DELIVERY_BADGES[d.status] ?? ['', d.status];
  const why = d.status !== 'pending' ? '' : d.next_trigger === 'manual' ? ' (resend)' : d.attempts > 0 ? ' (retrying)' : '';
  return ui.html`<span class="badge ${cls}">${label}${why}</span>${test}`;
}

/** One sentence about a test send, for the notice (no JS) and the dialog (JS). */
export function describeTest(r: TestResult): string {
  if (r.ok) {
    return `The endpoint accepted the test event: HTTP ${r.status} in ${r.durationMs} ms.${r.responseExcerpt ? ` Response: ${r.responseExcerpt.slice(0, 200)}` : ''}`;
  }
  const excerpt = r.responseExcerpt ? ` Response: ${r.responseExcerpt.slice(0, 200)}` : '';
  return `The test event was not accepted: ${r.errorMessage ?? 'unknown error'}${excerpt}`;
}

/** Limits of prettyJson: what one body may cost a page, whatever was posted. */
export const PRETTY_LIMITS = { maxChars: 32 * 1024, maxDepth: 12 } as const;

/**
 * A JSON body pretty-printed for a page, bounded: levels deeper than `maxDepth` are kept on one
 * line (indenting them costs depth² characters — 24 KB of nested arrays became 32 MB), and the
 * output stops at `maxChars` with a note. Text that is not JSON is shown as is, cut the same way.
 * Returns `{ text, truncated }`; the full body is available raw.
 */
export function boundedPrettyJson(text: string, limits: { maxChars: number; maxDepth: number } = PRETTY_LIMITS): { text: string; truncated: boolean } {
  const cut = (s: string) => (s.length > limits.maxChars ? { text: s.slice(0, limits.maxChars), truncated: true } : { text: s, truncated: false });
  // Parsing more than a few times the limit is work for nothing: it could not be shown anyway.
  if (text.length > limits.maxChars * 4) return cut(text);
  // Pathological nesting is shown as received: parsing it costs stack overflows, not insight.
  if (nestingDepth(text) > 256) return cut(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return cut(text);
  }
  const out: string[] = [];
  let size = 0;
  const push = (s: string): boolean => {
    out.push(s);
    size += s.length;
    return size <= limits.maxChars;
  };
  const write = (v: unknown, depth: number, indent: string): boolean => {
    if (v === null || typeof v !== 'object' || depth >= limits.maxDepth) return push(JSON.stringify(v) ?? 'null');
    const entries: Array<[string | null, unknown]> = Array.isArray(v) ? v.map((x) => [null, x]) : Object.entries(v);
    const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return push(open + close);
    if (!push(open + '\n')) return false;
    const inner = indent + '  ';
    for (let i = 0; i < entries.length; i++) {
      const [key, x] = entries[i]!;
      if (!push(inner + (key === null ? '' : `${JSON.stringify(key)}: `))) return false;
      if (!write(x, depth + 1, inner)) return false;
      if (!push(i < entries.length - 1 ? ',\n' : '\n')) return false;
    }
    return push(indent + close);
  };
  let complete: boolean;
  try {
    complete = write(value, 0, '');
  } catch {
    return cut(text); // nesting too deep even for one line (a RangeError): show the text as received
  }
  return complete ? { text: out.join(''), truncated: false } : cut(out.join(''));
}

/** The deepest bracket nesting of a JSON text (brackets inside strings ignored), in one pass. */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) max = Math.max(max, ++depth);
    else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** A JSON body pretty-printed (bounded, see boundedPrettyJson); other text as is. */
export function prettyJson(text: string): string {
  const { text: shown, truncated } = boundedPrettyJson(text);
  return truncated ? `${shown}\n… (cut at ${PRETTY_LIMITS.maxChars.toLocaleString('en-US')} characters of ${text.length.toLocaleString('en-US')})` : shown;
}
