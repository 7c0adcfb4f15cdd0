import { sql, syncRunner, type Db, type DialectName, type Kysely, type SyncRunner } from '../../../core/plugin-sdk.js';

export interface Bucket {
  success: number;
  retrying: number;
  failed: number;
}

type BucketRow = Bucket & { b: number };

/** The columns the health queries read, as the query layer sees them (times in unix ms). */
export interface HealthTables {
  webhooks: { disabled_reason: string | null };
  webhook_deliveries: { status: string; attempts: number };
  webhook_attempts: {
    webhook_id: number | null;
    attempted_at: number;
    duration_ms: number;
    /** 'success' | 'retrying' | 'failed'; null for test sends. */
    outcome: string | null;
  };
}

/**
 * Aggregates of the attempt log for the health charts, on the query layer; test sends (outcome
 * NULL) are left out. Every query is answered from the covering indexes attempts_webhook_health /
 * attempts_time_health (see bench/health.ts): on SQLite the queries name them (INDEXED BY), on
 * PostgreSQL the planner picks them. The synchronous methods (the admin screens call them) run on
 * the SQLite handle `sync` and throw without it; their `…Async` twins run on either database.
 */
export class HealthStore {
  private readonly now: SyncRunner;

  constructor(
    private readonly db: Kysely<HealthTables>,
    private readonly dialect: DialectName,
    /** SQLite: the synchronous handle on the same connection (`api.sqlite`); absent on PostgreSQL. */
    sync?: Db,
  ) {
    this.now = syncRunner(sync, 'HealthStore');
  }

  /** Outcomes per bucket of `bucketMs` from `since` (ms) for `count` buckets, for one webhook. */
  buckets(webhookId: number, since: number, bucketMs: number, count: number): Bucket[] {
    return fill(this.now<BucketRow>(this.bucketsQuery([webhookId], since, bucketMs, count)).rows, count);
  }

  async bucketsAsync(webhookId: number, since: number, bucketMs: number, count: number): Promise<Bucket[]> {
    return fill(await this.bucketsQuery([webhookId], since, bucketMs, count).execute(), count);
  }

  /** The same for several webhooks in one query (the list screen's sparklines). */
  bucketsMany(webhookIds: number[], since: number, bucketMs: number, count: number): Map<number, Bucket[]> {
    const rows = webhookIds.length ? this.now<BucketRow & { w: number }>(this.bucketsQuery(webhookIds, since, bucketMs, count)).rows : [];
    return perWebhook(webhookIds, rows, count);
  }

  async bucketsManyAsync(webhookIds: number[], since: number, bucketMs: number, count: number): Promise<Map<number, Bucket[]>> {
    const rows = webhookIds.length ? await this.bucketsQuery(webhookIds, since, bucketMs, count).execute() : [];
    return perWebhook(webhookIds, rows, count);
  }

  /**
   * Latency percentiles (ms) of a webhook's attempts since a time; null without attempts.
   * One pass over the index: a histogram of durations (few distinct values), walked in JS.
   */
  latency(webhookId: number, since: number): { p50: number; p95: number; n: number } | null {
    return percentiles(this.now<{ d: number; c: number }>(this.latencyQuery(webhookId, since)).rows);
  }

  async latencyAsync(webhookId: number, since: number): Promise<{ p50: number; p95: number; n: number } | null> {
    return percentiles(await this.latencyQuery(webhookId, since).execute());
  }

  /** Network-wide numbers for the dashboard widget (`now` in ms: the last hour before it). */
  overview(now: number): Overview {
    const [hour, retrying, disabled] = this.overviewQueries(now);
    return overviewOf(this.now<{ total: number; failed: number }>(hour).rows[0], this.now<{ n: number }>(retrying).rows[0], this.now<{ n: number }>(disabled).rows[0]);
  }

  async overviewAsync(now: number): Promise<Overview> {
    const [hour, retrying, disabled] = this.overviewQueries(now);
    return overviewOf(await hour.executeTakeFirst(), await retrying.executeTakeFirst(), await disabled.executeTakeFirst());
  }

  /**
   * `table`, read through `index` on SQLite (`FROM t AS t INDEXED BY index`: the plan the health
   * queries were measured with); plain on PostgreSQL.
   */
  private from<T extends 'webhook_attempts' | 'webhook_deliveries'>(table: T, index: string) {
    const hint = this.dialect === 'sqlite' ? sql` indexed by ${sql.id(index)}` : sql``;
    return sql<HealthTables[T]>`${sql.table(table)}`.as<T>(sql`${sql.table(table)}${hint}`);
  }

  /** Outcome counts per (webhook, bucket); buckets are whole `bucketMs` from `since`. */
  private bucketsQuery(webhookIds: number[], since: number, bucketMs: number, count: number) {
    return this.db
      .selectFrom(this.from('webhook_attempts', 'attempts_webhook_health'))
      .select([
        'webhook_id as w',
        sql<number>`cast((${sql.ref('attempted_at')} - ${since}) / ${bucketMs} as integer)`.as('b'),
        countOf('success').as('success'),
        countOf('retrying').as('retrying'),
        countOf('failed').as('failed'),
      ])
      .where('webhook_id', 'in', webhookIds)
      .where('attempted_at', '>=', since)
      .where('attempted_at', '<', since + bucketMs * count)
      .where('outcome', 'is not', null)
      .groupBy(['webhook_id', sql.ref('b')]);
  }

  private latencyQuery(webhookId: number, since: number) {
    return this.db
      .selectFrom(this.from('webhook_attempts', 'attempts_webhook_health'))
      .select((eb) => ['duration_ms as d', eb.fn.countAll<number>().as('c')])
      .where('webhook_id', '=', webhookId)
      .where('attempted_at', '>=', since)
      .where('outcome', 'is not', null)
      .groupBy('duration_ms')
      .orderBy('duration_ms');
  }

  private overviewQueries(now: number) {
    const hour = this.db
      .selectFrom(this.from('webhook_attempts', 'attempts_time_health'))
      .select((eb) => [eb.fn.countAll<number>().as('total'), sql<number>`coalesce(sum(case when ${sql.ref('outcome')} != 'success' then 1 else 0 end), 0)`.as('failed')])
      .where('attempted_at', '>=', now - 3_600_000)
      .where('outcome', 'is not', null);
    const retrying = this.db
      .selectFrom(this.from('webhook_deliveries', 'deliveries_retrying'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      // Literals, not parameters: SQLite uses a partial index only for a WHERE it can see implies the index's.
      .where('status', '=', sql.lit('pending'))
      .where('attempts', '>', sql.lit(0));
    const disabled = this.db
      .selectFrom('webhooks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('disabled_reason', 'is not', null);
    return [hour, retrying, disabled] as const;
  }
}

/** The dashboard widget's numbers. */
export interface Overview {
  lastHour: number;
  failedLastHour: number;
  retryingPending: number;
  disabled: number;
}

/** How many rows of a group had this outcome (a plain CASE: PostgreSQL has no SUM of booleans). */
function countOf(outcome: 'success' | 'retrying' | 'failed') {
  return sql<number>`sum(case when ${sql.ref('outcome')} = ${sql.lit(outcome)} then 1 else 0 end)`;
}

function perWebhook(webhookIds: number[], rows: Array<BucketRow & { w: number | null }>, count: number): Map<number, Bucket[]> {
  const out = new Map<number, Bucket[]>();
  for (const id of webhookIds) out.set(id, fill(rows.filter((r) => r.w === id), count));
  return out;
}

function percentiles(rows: Array<{ d: number; c: number }>): { p50: number; p95: number; n: number } | null {
  const n = rows.reduce((sum, r) => sum + Number(r.c), 0);
  if (n === 0) return null;
  const pick = (q: number) => {
    const rank = Math.min(n - 1, Math.floor(q * n));
    let seen = 0;
    for (const r of rows) {
      seen += Number(r.c);
      if (seen > rank) return r.d;
    }
    return rows[rows.length - 1]!.d;
  };
  return { p50: pick(0.5), p95: pick(0.95), n };
}

function overviewOf(hour: { total: number; failed: number } | undefined, retrying: { n: number } | undefined, disabled: { n: number } | undefined): Overview {
  return { lastHour: Number(hour?.total ?? 0), failedLastHour: Number(hour?.failed ?? 0), retryingPending: Number(retrying?.n ?? 0), disabled: Number(disabled?.n ?? 0) };
}

function fill(rows: BucketRow[], count: number): Bucket[] {
  const out: Bucket[] = Array.from({ length: count }, () => ({ success: 0, retrying: 0, failed: 0 }));
  for (const r of rows) {
    const b = out[Number(r.b)];
    if (b) {
      b.success = Number(r.success);
      b.retrying = Number(r.retrying);
      b.failed = Number(r.failed);
    }
  }
  return out;
}
