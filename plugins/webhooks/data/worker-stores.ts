import type { Kysely } from '../../../core/plugin-sdk.js';
import type { WorkerStore } from '../delivery/worker.js';
import type { ClaimedDelivery, DeliveriesStore } from './deliveries-store.js';
import { LeaseClaims, type LeaseTables } from './lease-claims.js';

/**
 * The delivery worker's store on SQLite: the synchronous DeliveriesStore (one IMMEDIATE claim
 * transaction on the handle), its results wrapped in promises — the same claims, releases and
 * due times as before the worker became asynchronous.
 */
export function sqliteWorkerStore(store: Pick<DeliveriesStore, 'claimDue' | 'releaseLeases' | 'nextDueAt'>): WorkerStore {
  return {
    claimDue: async (now, limit, leaseMs) => store.claimDue(now, limit, leaseMs),
    releaseLeases: async (ids, now) => store.releaseLeases(ids, now),
    nextDueAt: async (now) => store.nextDueAt(now),
  };
}

/** The tables the PostgreSQL worker store reads beyond the claim's: the events' bodies. */
interface BodyTables extends LeaseTables {
  webhook_events: { id: string; body: string };
}

/**
 * The delivery worker's store on the query layer (PostgreSQL; it runs on SQLite too): the claim
 * of LeaseClaims (FOR UPDATE SKIP LOCKED, per-webhook advisory locks; see data/lease-claims.ts)
 * under this worker's owner id, then one query for the bodies of the batch.
 */
export class QueryWorkerStore implements WorkerStore {
  private readonly claims: LeaseClaims;

  /**
   * `owner`: this worker's owner id (the same one its OutboxStore records under); `perWebhook`:
   * deliveries of one webhook leased at a time by all workers together.
   * @throws RangeError when `perWebhook` is not a positive integer.
   */
  constructor(
    private readonly db: Kysely<BodyTables>,
    dialect: 'sqlite' | 'postgres',
    owner: string,
    perWebhook: number,
  ) {
    this.claims = new LeaseClaims(db as unknown as Kysely<LeaseTables>, dialect, owner, perWebhook);
  }

  get owner(): string {
    return this.claims.owner;
  }

  /** Due deliveries leased to this worker until `now + leaseMs` (ms), in due order, with their bodies. */
  async claimDue(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = await this.claims.claimDue(now, limit, leaseMs);
    if (rows.length === 0) return [];
    const ids = [...new Set(rows.map((r) => r.event_id))];
    const bodies = new Map((await this.db.selectFrom('webhook_events').select(['id', 'body']).where('id', 'in', ids).execute()).map((b) => [b.id, b.body]));
    return rows.map(({ event_id, ...rest }) => ({ ...rest, body: bodies.get(event_id) ?? '' }));
  }

  /** Hands back this worker's leases on `ids` (due again at `now`); others' are left alone. */
  releaseLeases(ids: readonly number[], now: number): Promise<number> {
    return this.claims.releaseLeases(ids, now);
  }

  /** The earliest due time of a pending delivery (ms); with `now`, the earliest after it. Null: none. */
  async nextDueAt(now?: number): Promise<number | null> {
    let q = this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.min<number>('next_attempt_at').as('at'))
      .where('status', '=', 'pending')
      .where('next_attempt_at', 'is not', null);
    if (now !== undefined) q = q.where('next_attempt_at', '>', now);
    const at = (await q.executeTakeFirst())?.at;
    return at === null || at === undefined ? null : Number(at);
  }
}
