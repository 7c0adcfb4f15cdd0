import { sql, type DialectName, type Kysely } from '../../../core/plugin-sdk.js';
import type { ClaimedDelivery, Delivery } from './deliveries-store.js';

/**
 * The columns of `webhook_deliveries` the claim reads and writes, as the query layer sees them
 * (times in unix milliseconds; `is_test` 0/1).
 */
export interface LeaseTables {
  webhook_deliveries: Pick<
    Delivery,
    'id' | 'msg_id' | 'webhook_id' | 'event_id' | 'event' | 'url' | 'status' | 'is_test' | 'attempts' | 'max_attempts' | 'next_trigger' | 'next_attempt_at' | 'lease_until' | 'lease_owner'
  >;
}

/** A delivery a claim leased to this worker (its body is read by the caller, from `event_id`). */
export type LeasedRow = Omit<ClaimedDelivery, 'body'> & { event_id: string };

/** First key of the per-webhook advisory locks a PostgreSQL claim tries (the second is the webhook id). */
export const CLAIM_LOCK_KEY = 7_301_114;

/**
 * A store of one delivery worker on the query layer: the executor it runs on (`db`, or a
 * transaction), the dialect (SQL differs only where the databases do), the worker's owner id
 * and the per-endpoint limit it keeps.
 * @throws RangeError when `perWebhook` is not a positive integer.
 */
export abstract class WorkerStore<DB> {
  constructor(
    protected readonly db: Kysely<DB>,
    protected readonly dialect: DialectName,
    /** This worker's owner id, written with every lease it takes (see workerOwnerId). */
    readonly owner: string,
    /** Deliveries of one webhook leased at a time, by all workers together. */
    readonly perWebhook: number,
  ) {
    if (!Number.isSafeInteger(perWebhook) || perWebhook < 1) throw new RangeError(`perWebhook must be a positive integer; got ${perWebhook}.`);
  }
}

/**
 * PostgreSQL: tries the claim's advisory lock of each webhook for this transaction (held to its
 * end; never waited for) and returns the webhooks whose lock it got. A claim, or a write of
 * leased deliveries, counts a webhook's leases only under its lock, so two transactions never
 * both fill the same webhook's room.
 */
export async function tryClaimLocks(trx: Kysely<any>, webhooks: readonly number[]): Promise<number[]> {
  if (webhooks.length === 0) return [];
  const locks = await sql<{ w: number; ok: boolean }>`SELECT w, pg_try_advisory_xact_lock(${CLAIM_LOCK_KEY}, w) AS ok FROM unnest(${[...webhooks]}::int[]) AS w`.execute(trx);
  return locks.rows.filter((r) => r.ok).map((r) => Number(r.w));
}

/**
 * Leases held now (`lease_until > now`, ms; any owner) per webhook, on `db` (or a transaction);
 * only `webhooks` when given. Reads the leased index (`deliveries_leased`) alone.
 */
export async function leasesHeld(db: Kysely<LeaseTables>, now: number, webhooks?: readonly number[]): Promise<Array<{ webhook_id: number; n: number }>> {
  if (webhooks && webhooks.length === 0) return [];
  let q = db
    .selectFrom('webhook_deliveries')
    .select((eb) => ['webhook_id', eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'pending')
    .where('lease_until', 'is not', null)
    .where('lease_until', '>', now)
    .where('webhook_id', 'is not', null)
    .groupBy('webhook_id');
  if (webhooks) q = q.where('webhook_id', 'in', [...webhooks]);
  return (await q.execute()).map((r) => ({ webhook_id: Number(r.webhook_id), n: Number(r.n) }));
}

/**
 * The delivery claim on the query layer, for SQLite and PostgreSQL — the same rule as
 * DeliveriesStore.claimDue (which the running app uses, on SQLite): due rows in due order,
 * leased to this worker's `owner`, at most `perWebhook` deliveries of one webhook leased at a
 * time by all workers together. Not wired into the app yet (the host runs on SQLite).
 *
 * How it holds across processes:
 * - SQLite: the claim is one transaction that begins IMMEDIATE (the query layer's driver), so
 *   claims of all processes run one at a time.
 * - PostgreSQL: claims run concurrently. Candidate rows are locked `FOR UPDATE SKIP LOCKED` (rows
 *   another claim is taking are skipped, never waited for). A webhook's limit is counted under a
 *   per-webhook transaction-scoped advisory lock, taken with `pg_try_advisory_xact_lock`: a
 *   webhook whose lock another claim holds is skipped this time (the SKIP LOCKED of webhooks), and
 *   the count runs after the lock is held, so it sees every lease committed before — two
 *   concurrent claims never both fill the same webhook's room.
 *
 * Indexes it expects (those of the plugin's migration 5): `deliveries_due (next_attempt_at,
 * webhook_id) WHERE status = 'pending'` and `deliveries_leased (webhook_id, lease_until) WHERE
 * status = 'pending' AND lease_until IS NOT NULL`; on PostgreSQL the candidate scan is an index
 * scan of the first (LockRows over it, then LIMIT) and the lease count an index-only scan of the
 * second (EXPLAIN, 200,000 rows).
 */
export class LeaseClaims extends WorkerStore<LeaseTables> {

  /**
   * Takes up to `limit` due deliveries (pending, `next_attempt_at <= now`, ms — leases that ran
   * out included), oldest first, leasing them to this owner until `now + leaseMs`. Webhooks at
   * their limit are skipped (their backlog never hides other webhooks' rows); on PostgreSQL so
   * are rows and webhooks another claim is working on at this moment. Returns the leased rows
   * in due order.
   */
  async claimDue(now: number, limit: number, leaseMs: number): Promise<LeasedRow[]> {
    if (limit <= 0) return [];
    const lease = now + Math.max(1, leaseMs);
    return this.db.transaction().execute(async (trx) => {
      const pg = this.dialect === 'postgres';
      const room = new Map<number, number>();
      for (const h of await leasesHeld(trx, now)) room.set(h.webhook_id, this.perWebhook - h.n);
      const full = [...room].filter(([, n]) => n <= 0).map(([id]) => id);
      // The oldest due rows of webhooks with room, a window of a few batches.
      let q = trx
        .selectFrom('webhook_deliveries')
        .select(['id', 'webhook_id', 'next_attempt_at'])
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(Math.max(limit * 4, 64));
      if (full.length) q = q.where((eb) => eb.or([eb('webhook_id', 'is', null), eb('webhook_id', 'not in', full)]));
      const due = await (pg ? q.forUpdate().skipLocked() : q).execute();
      // PostgreSQL: the webhooks this claim may fill — those whose lock no other claim holds —
      // with their leases counted again now that the lock is ours.
      const hooks = [...new Set(due.map((d) => d.webhook_id).filter((w): w is number => w !== null))];
      let mine: Set<number> = new Set(hooks);
      if (pg && hooks.length) {
        mine = new Set(await tryClaimLocks(trx, hooks));
        for (const w of mine) room.delete(w);
        for (const h of await leasesHeld(trx, now, [...mine])) room.set(h.webhook_id, this.perWebhook - h.n);
      }
      const take: number[] = [];
      for (const d of due) {
        if (take.length >= limit) break;
        if (d.webhook_id === null) {
          take.push(d.id);
          continue;
        }
        if (!mine.has(d.webhook_id)) continue;
        const left = room.get(d.webhook_id) ?? this.perWebhook;
        if (left <= 0) continue;
        room.set(d.webhook_id, left - 1);
        take.push(d.id);
      }
      if (take.length === 0) return [];
      const rows = await trx
        .updateTable('webhook_deliveries')
        .set({ lease_until: lease, next_attempt_at: lease, lease_owner: this.owner })
        .where('id', 'in', take)
        .where('status', '=', 'pending')
        .returning(['id', 'msg_id', 'webhook_id', 'event_id', 'event', 'url', 'attempts', 'max_attempts', 'next_trigger', 'is_test'])
        .execute();
      const byId = new Map(rows.map((r) => [Number(r.id), r]));
      return take.flatMap((id) => {
        const r = byId.get(id);
        return r ? [{ ...r, id: Number(r.id), lease_until: lease }] : [];
      });
    });
  }

  /**
   * Hands back this owner's leases on `ids`: due again at `now` (ms), owner cleared. Rows another
   * worker holds are left alone. Returns how many were released.
   */
  async releaseLeases(ids: readonly number[], now: number): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set({ lease_until: null, lease_owner: null, next_attempt_at: now })
      .where('id', 'in', [...ids])
      .where('status', '=', 'pending')
      .where('lease_owner', '=', this.owner)
      .where('lease_until', 'is not', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
