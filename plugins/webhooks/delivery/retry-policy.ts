/**
 * The retry policy — the one module that owns when a failed attempt is tried again: the
 * schedule, its jitter, which failures mean "the receiver is overloaded", and `Retry-After`.
 */

/** Delays before each attempt: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (≈27 h). */
export const DEFAULT_SCHEDULE_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** After a throttling answer or a timeout, wait at least this long (ms). */
export const THROTTLE_MIN_MS = 60_000;
/** ±20 % of the scheduled delay. */
export const JITTER = 0.2;
/**
 * A `Retry-After` can push the next attempt at most this far (ms) past the scheduled delay —
 * Svix settled on max(backoff, Retry-After), capped (svix-webhooks issue 2200).
 */
export const RETRY_AFTER_CAP_MS = 6 * 3_600_000;
/**
 * Statuses that say "slow down". 429 and 503 carry the receiver's `Retry-After` (Standard
 * Webhooks asks senders to respect it on both); 502 and 504 are an overloaded gateway.
 */
export const THROTTLING_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

export interface RetryInput {
  /** Attempts made so far, including the one that just failed (1 after the first). */
  attempts: number;
  /** HTTP status of the failed attempt, or null when no response arrived. */
  status: number | null;
  /** The attempt timed out (the receiver may be overloaded). */
  timedOut: boolean;
  /** The response's Retry-After, in ms from now, when it had one. */
  retryAfterMs?: number;
  /** A number in [0, 1) for jitter (injected in tests). */
  random: number;
}

/**
 * When to try again, in ms from now, or null when the schedule is exhausted. The scheduled
 * delay gets ±20 % jitter; a throttling status or a timeout waits at least 60 s; on 429 and
 * 503 a `Retry-After` is honoured as max(delay, Retry-After), capped at delay + 6 h.
 */
export function nextRetryDelay(schedule: readonly number[], input: RetryInput): number | null {
  if (input.attempts >= schedule.length) return null;
  const base = schedule[input.attempts]!;
  let delay = Math.round(base * (1 - JITTER + 2 * JITTER * input.random));
  const throttled = input.timedOut || THROTTLING_STATUSES.has(input.status ?? 0);
  if (throttled) delay = Math.max(delay, THROTTLE_MIN_MS);
  const retryAfter = input.retryAfterMs;
  if (RETRY_AFTER_STATUSES.has(input.status ?? 0) && retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter > delay) {
    delay = Math.min(retryAfter, delay + RETRY_AFTER_CAP_MS);
  }
  return delay;
}

/** Parses Retry-After (delay-seconds or an HTTP date, RFC 9110 §10.2.3) into ms from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Parses a schedule setting like "0,5s,5m,30m,2h,5h,10h,10h". */
export function parseSchedule(text: string): number[] {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const out = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((part) => {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(part);
      if (!m) throw new TypeError(`"${part}" is not a delay (use e.g. 0, 5s, 5m, 2h).`);
      return Math.round(Number(m[1]) * units[m[2] ?? 's']!);
    });
  if (out.length === 0) throw new TypeError('A retry schedule needs at least one delay.');
  return out;
}
