/**
 * Calendar dates of the memberships screens, in UTC. A date input posts `YYYY-MM-DD`; a
 * browser or a hand-typed value can still send an impossible day (2026-02-31, which
 * `Date.parse` would shift to March 3) or a year beyond four digits (which it would not
 * parse at all, turning a typo into "never expires"). Both are refused here.
 */
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Midnight UTC of a `YYYY-MM-DD` day (years 1970–9999); null for an empty value (no date);
 * NaN for anything else, which validation reports next to the field.
 */
export function parseDay(text: string | undefined): number | null {
  const t = (text ?? '').trim();
  if (t === '') return null;
  const m = DAY_RE.exec(t);
  if (!m) return Number.NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-31 over into March: only a day that comes back unchanged exists.
  if (y < 1970 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return Number.NaN;
  return ms;
}

/**
 * `ms` plus one billing period, by the calendar: a month later on the same day of the month,
 * or on the month's last day when it is shorter (Jan 31 → Feb 28); a year later likewise.
 */
export function addPeriod(ms: number, period: 'month' | 'year'): number {
  const d = new Date(ms);
  const months = period === 'year' ? 12 : 1;
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.getTime();
}
