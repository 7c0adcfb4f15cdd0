import type { Db } from '../../../core/plugin-sdk.js';

export interface Bucket {
  success: number;
  retrying: number;
  failed: number;
}

/**
 * Aggregates of the attempt log for the health charts; test sends (outcome NULL) are left out. Every query is answered from the
 * covering indexes attempts_webhook_health / attempts_time_health (see bench/health.ts).
 */
export class HealthStore {
  constructor(private readonly db: Db) {}

  /** Outcomes per bucket of `bucketMs` from `since` for `count` buckets, for one webhook. */
  buckets(webhookId: number, since: number, bucketMs: number, count: number): Bucket[] {
    const rows = this.db
      .prepare(
        `SELECT CAST((attempted_at - @since) / @size AS INTEGER) AS b,
                SUM(outcome = 'success') AS success, SUM(outcome = 'retrying') AS retrying, SUM(outcome = 'failed') AS failed
         FROM webhook_attempts INDEXED BY attempts_webhook_health
         WHERE webhook_id = @id AND attempted_at >= @since AND attempted_at < @until AND outcome IS NOT NULL
         GROUP BY b`,
      )
      .all({ id: webhookId, since, size: bucketMs, until: since + bucketMs * count }) as Array<Bucket & { b: number }>;
    return fill(rows, count);
  }

  /** The same for several webhooks in one query (the list screen's sparklines). */
  bucketsMany(webhookIds: number[], since: number, bucketMs: number, count: number): Map<number, Bucket[]> {
    const out = new Map<number, Bucket[]>();
    if (!webhookIds.length) return out;
    const rows = this.db
      .prepare(
        `SELECT webhook_id AS w, CAST((attempted_at - @since) / @size AS INTEGER) AS b,
                SUM(outcome = 'success') AS success, SUM(outcome = 'retrying') AS retrying, SUM(outcome = 'failed') AS failed
         FROM webhook_attempts INDEXED BY attempts_webhook_health
         WHERE webhook_id IN (SELECT value FROM json_each(@ids)) AND attempted_at >= @since AND attempted_at < @until AND outcome IS NOT NULL
         GROUP BY w, b`,
      )
      .all({ ids: JSON.stringify(webhookIds), since, size: bucketMs, until: since + bucketMs * count }) as Array<Bucket & { b: number; w: number }>;
    for (const id of webhookIds) out.set(id, fill(rows.filter((r) => r.w === id), count));
    return out;
  }

  /**
   * Latency percentiles (ms) of a webhook's attempts since a time; null without attempts.
   * One pass over the index: a histogram of durations (few distinct values), walked in JS.
   */
  latency(webhookId: number, since: number): { p50: number; p95: number; n: number } | null {
    const rows = this.db
      .prepare(
        'SELECT duration_ms AS d, COUNT(*) AS c FROM webhook_attempts INDEXED BY attempts_webhook_health WHERE webhook_id = ? AND attempted_at >= ? AND outcome IS NOT NULL GROUP BY duration_ms ORDER BY duration_ms',
      )
      .all(webhookId, since) as Array<{ d: number; c: number }>;
    const n = rows.reduce((sum, r) => sum + r.c, 0);
    if (n === 0) return null;
    const pick = (q: number) => {
      const rank = Math.min(n - 1, Math.floor(q * n));
      let seen = 0;
      for (const r of rows) {
        seen += r.c;
        if (seen > rank) return r.d;
      }
      return rows[rows.length - 1]!.d;
    };
    return { p50: pick(0.5), p95: pick(0.95), n };
  }

  /** Network-wide numbers for the dashboard widget. */
  overview(now: number): { lastHour: number; failedLastHour: number; retryingPending: number; disabled: number } {
    const hour = this.db
      .prepare(
        `SELECT COUNT(*) AS total, COALESCE(SUM(outcome != 'success'), 0) AS failed
         FROM webhook_attempts INDEXED BY attempts_time_health WHERE attempted_at >= ? AND outcome IS NOT NULL`,
      )
      .get(now - 3_600_000) as { total: number; failed: number };
    const retrying = (
      this.db.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries INDEXED BY deliveries_retrying WHERE status = 'pending' AND attempts > 0").get() as { n: number }
    ).n;
    const disabled = (this.db.prepare('SELECT COUNT(*) AS n FROM webhooks WHERE disabled_reason IS NOT NULL').get() as { n: number }).n;
    return { lastHour: hour.total, failedLastHour: hour.failed, retryingPending: retrying, disabled };
  }
}

function fill(rows: Array<Bucket & { b: number }>, count: number): Bucket[] {
  const out: Bucket[] = Array.from({ length: count }, () => ({ success: 0, retrying: 0, failed: 0 }));
  for (const r of rows) {
    const b = out[r.b];
    if (b) {
      b.success = r.success;
      b.retrying = r.retrying;
      b.failed = r.failed;
    }
  }
  return out;
}
