import type { SafeHtml } from '../../../core/http/html.js';
import type { AdminUi } from '../../../core/plugins/types.js';
import type { Delivery } from '../data/deliveries-store.js';
import type { Webhook } from '../model/webhook.js';
import type { TestResult } from '../service.js';

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

export function deliveryStatusBadge(ui: AdminUi, d: Pick<Delivery, 'status' | 'attempts' | 'is_test'>): SafeHtml {
  const [cls, label] = DELIVERY_BADGES[d.status] ?? ['', d.status];
  const retrying = d.status === 'pending' && d.attempts > 0 ? ' (retrying)' : '';
  return ui.html`<span class="badge ${cls}">${label}${retrying}</span>${d.is_test ? ui.html` <span class="badge badge-info">Test</span>` : ''}`;
}

/** One sentence about a test send, for the notice (no JS) and the dialog (JS). */
export function describeTest(r: TestResult): string {
  if (r.ok) {
    return `The endpoint accepted the test event: HTTP ${r.status} in ${r.durationMs} ms.${r.responseExcerpt ? ` Response: ${r.responseExcerpt.slice(0, 200)}` : ''}`;
  }
  const excerpt = r.responseExcerpt ? ` Response: ${r.responseExcerpt.slice(0, 200)}` : '';
  return `The test event was not accepted: ${r.errorMessage ?? 'unknown error'}${excerpt}`;
}

export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
