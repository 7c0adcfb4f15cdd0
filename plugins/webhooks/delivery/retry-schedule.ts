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

/** After a timeout or a 429, wait at least this long. */
export const THROTTLE_MIN_MS = 60_000;
export const JITTER = 0.2;

export interface RetryInput {
  /** Attempts made so far, including the one that just failed (1 after the first). */
  attempts: number;
  /** The failure was a timeout or an HTTP 429/502/504 (the endpoint is overloaded). */
  throttled: boolean;
  /** Retry-After of the response, in ms, when it had one. */
  retryAfterMs?: number;
  /** A number in [0, 1) for jitter (injected in tests). */
  random: number;
}

/**
 * When to try again, in ms from now, or null when the schedule is exhausted. The base delay
 * gets ±20 % jitter; throttling waits at least 60 s; a Retry-After is honoured within
 * [delay, 2 × delay] so a receiver can slow us down but not stall or hurry us unboundedly.
 */
export function nextRetryDelay(schedule: readonly number[], input: RetryInput): number | null {
  if (input.attempts >= schedule.length) return null;
  const base = schedule[input.attempts]!;
  let delay = Math.round(base * (1 - JITTER + 2 * JITTER * input.random));
  if (input.throttled) delay = Math.max(delay, THROTTLE_MIN_MS);
  if (input.retryAfterMs !== undefined && input.retryAfterMs >= 0) {
    delay = Math.min(Math.max(input.retryAfterMs, delay), 2 * delay);
  }
  return delay;
}

/** Parses Retry-After (seconds or an HTTP date) into ms from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
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
