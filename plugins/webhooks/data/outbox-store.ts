import type { Generated, Kysely } from '../../../core/plugin-sdk.js';
import { attemptRowParams, attemptStatements, bindNamed, disableParams, finishParams, healthParams } from './attempt-sql.js';
import type { Attempt, AttemptToRecord, Delivery, Enqueued, NewEvent, Recorded } from './deliveries-store.js';
import { leasesHeld, tryClaimLocks, WorkerStore, type LeaseTables } from './lease-claims.js';

/**
 * The tables the outbox writes, as the query layer sees them (times in unix milliseconds; flags
 * 0/1 integers, as on SQLite). `webhooks`: only the columns written here (event counts, health).
 */
export interface OutboxTables {
  webhooks: {
    id: Generated<number>;
    active: number;
    disabled_reason: string | null;
    disabled_at: number | null;
    event_count: number;
    last_status: string | null;
    last_http_status: number | null;
    last_delivery_at: number | null;
    last_success_at: number | null;
    failing_since: number | null;
  };
  webhook_events: { id: string; event: string; body: string; is_test: number; created_at: number };
  webhook_deliveries: Omit<Delivery, 'id'> & { id: Generated<number> };
  webhook_attempts: Omit<Attempt, 'id'> & { id: Generated<number> };
}

/** Rows per multi-row INSERT (SQLite binds at most 32,766 parameters; 15 a row). */
const INSERT_CHUNK = 500;

/**
 * The outbox's writes on the query layer, for SQLite and PostgreSQL — the same rules as
 * DeliveriesStore's (writeEvent, recordOne, cancel), which the running app still uses on the
 * synchronous SQLite handle: the write of one event (its snapshot, one delivery per target,
 * the webhooks' event counts), the one-transaction record of an attempt, and cancel.
 *
 * Every method takes the executor it runs on where the caller may have a transaction open
 * (`writeEvent(trx, …)`: the transactional outbox stages it before the caller's COMMIT); the
 * others open their own transaction on `db` (or join it when `db` is one).
 *
 * Across processes: fresh deliveries written leased to `owner` count against the per-endpoint
 * limit like claims do. On SQLite the write's transaction holds the database's write lock
 * (BEGIN IMMEDIATE), so counts and leases of all processes are serialised. On PostgreSQL the
 * count of a webhook's leases runs under the claim's per-webhook advisory lock
 * (`pg_try_advisory_xact_lock(CLAIM_LOCK_KEY, webhook)`, see LeaseClaims), held to the end of
 * the transaction; a webhook whose lock another transaction holds gets its deliveries written
 * due now, unleased, for a claim — never waited for. Event counts are bumped in webhook id
 * order (a batch of events: once, at its end), so two writes never deadlock on them.
 */
export class OutboxStore extends WorkerStore<OutboxTables> {
  /** Runs `fn` in a transaction of `db`, or on `db` itself when it is a transaction already. */
  private transaction<T>(fn: (trx: Kysely<OutboxTables>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? fn(this.db) : this.db.transaction().execute(fn);
  }

  /** writeEvent in a transaction of its own (or `db`'s, when `db` is one). */
  enqueue(e: NewEvent): Promise<Enqueued> {
    return this.transaction((trx) => this.writeEvent(trx, e));
  }

  /**
   * Writes the event snapshot and one delivery per target (pending, attempts 0, due now; a test
   * delivery has no due time and trigger `test`), and adds one to each target webhook's
   * `event_count` (not for test events). Run it on a transaction (`trx`): the rows commit or
   * roll back with it. With `e.leaseUntil` (ms), each delivery whose webhook has fewer than
   * `perWebhook` deliveries leased now (any owner; rows of this write included) is written
   * leased to `owner` until then — due at the lease's end, so it is claimed again should this
   * worker die — and the others are written due now; null-webhook deliveries are leased
   * without a limit. Returns the delivery ids in target order and which were leased.
   * `counts`: the event counts are added to it instead of written (a batch of writes bumps them
   * once, at its end, with bumpCounts) — only once everything else of this event is written.
   */
  async writeEvent(trx: Kysely<OutboxTables>, e: NewEvent, counts?: Map<number, number>): Promise<Enqueued> {
    await trx.insertInto('webhook_events').values({ id: e.eventId, event: e.event, body: e.body, is_test: e.isTest ? 1 : 0, created_at: e.now }).execute();
    if (e.targets.length === 0) return { ids: [], leaseUntil: undefined, leased: [], offered: e.leaseUntil !== undefined };
    const hooks = [...new Set(e.targets.map((t) => t.webhookId).filter((w): w is number => w !== null))].sort((a, b) => a - b);
    const room = e.leaseUntil !== undefined && !e.isTest ? await this.room(trx, hooks, e.now) : new Map<number, number>();
    // A webhook whose claim lock another transaction holds (PostgreSQL) gets no lease either,
    // but not for its limit: its rows are then not `offered` (the worker is woken for a claim).
    let lockBusy = false;
    const leased = e.targets.map((t) => {
      if (e.leaseUntil === undefined || e.isTest) return false;
      if (t.webhookId === null) return true;
      const left = room.get(t.webhookId);
      if (left === undefined) lockBusy = true;
      if (left === undefined || left <= 0) return false;
      room.set(t.webhookId, left - 1);
      return true;
    });
    const rows = e.targets.map((t, i) => {
      const lease = leased[i] ? e.leaseUntil! : null;
      return {
        msg_id: t.msgId,
        webhook_id: t.webhookId,
        event_id: e.eventId,
        event: e.event,
        url: t.url,
        status: 'pending' as const,
        is_test: e.isTest ? 1 : 0,
        attempts: 0,
        max_attempts: e.maxAttempts,
        next_trigger: e.isTest ? ('test' as const) : ('event' as const),
        // A test delivery is sent inline by its caller: no due time, so no worker takes it.
        next_attempt_at: e.isTest ? null : (lease ?? e.now),
        lease_until: lease,
        lease_owner: lease === null ? null : this.owner,
        created_at: e.now,
        updated_at: e.now,
      };
    });
    const idOf = new Map<string, number>();
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      // RETURNING's row order is not guaranteed (SQLite says so): ids are matched by msg_id.
      const written = await trx.insertInto('webhook_deliveries').values(rows.slice(i, i + INSERT_CHUNK)).returning(['id', 'msg_id']).execute();
      for (const r of written) idOf.set(r.msg_id, Number(r.id));
    }
    if (!e.isTest) {
      const add = new Map<number, number>();
      for (const t of e.targets) if (t.webhookId !== null) add.set(t.webhookId, (add.get(t.webhookId) ?? 0) + 1);
      if (counts) for (const [id, n] of add) counts.set(id, (counts.get(id) ?? 0) + n);
      else await this.bumpCounts(trx, add);
    }
    const ids = e.targets.map((t) => idOf.get(t.msgId)!);
    return { ids, leaseUntil: leased.includes(true) ? e.leaseUntil : undefined, leased, offered: e.leaseUntil !== undefined && !lockBusy };
  }

  /**
   * Adds `counts` (webhook id → events) to the webhooks' `event_count`, in webhook id order:
   * concurrent transactions lock the webhooks' rows in one order, so they never deadlock on them.
   */
  async bumpCounts(trx: Kysely<OutboxTables>, counts: ReadonlyMap<number, number>): Promise<void> {
    for (const id of [...counts.keys()].sort((a, b) => a - b)) {
      await trx.updateTable('webhooks').set((eb) => ({ event_count: eb('event_count', '+', counts.get(id)!) })).where('id', '=', id).execute();
    }
  }

  /**
   * Room per webhook for fresh leases: perWebhook minus its deliveries leased now (any owner).
   * PostgreSQL: only webhooks whose claim lock this transaction got (try, never wait); the
   * count runs after the lock is held, so it sees every lease committed before. Others: none.
   */
  private async room(trx: Kysely<OutboxTables>, hooks: number[], now: number): Promise<Map<number, number>> {
    const mine = this.dialect === 'postgres' ? await tryClaimLocks(trx, hooks) : hooks;
    const room = new Map(mine.map((w) => [w, this.perWebhook]));
    for (const h of await leasesHeld(trx as unknown as Kysely<LeaseTables>, now, mine)) room.set(h.webhook_id, this.perWebhook - h.n);
    return room;
  }

  /** Attempts waiting for the next shared transaction (group commit), in arrival order. */
  private stagedAttempts: Array<{ r: AttemptToRecord; resolve: (v: Recorded) => void; reject: (e: unknown) => void }> = [];
  private attemptsScheduled = false;
  /** Transactions that recorded attempts, and the attempts they carried (tests, benches). */
  readonly recordStats = { commits: 0, attempts: 0 };

  /**
   * Records one attempt: the attempt row, its delivery's new state and its webhook's health
   * (DeliveriesStore.recordAttempt's rules: see recordOne), in one transaction. Group commit,
   * as on SQLite: attempts that finish in the same turn of the event loop share one
   * transaction — on PostgreSQL one round trip each for BEGIN and COMMIT, and one WAL flush —
   * one batch at a time. A batch writes the deliveries' states and the attempt rows first, then
   * the webhooks' health in webhook id order (arrival order within a webhook): health rows stay
   * locked only for the end of the transaction, and two processes' batches lock them in the
   * same order, so they never deadlock. Resolves once committed.
   * When the shared transaction fails, each of its attempts is recorded again in a transaction
   * of its own, so one bad attempt rejects alone (nothing of it stored) and the others resolve.
   * Inside a caller's transaction (`db` is one) it joins it at once.
   */
  recordAttempt(r: AttemptToRecord): Promise<Recorded> {
    if (this.db.isTransaction) return this.recordOne(this.db, r);
    return new Promise<Recorded>((resolve, reject) => {
      this.stagedAttempts.push({ r, resolve, reject });
      this.scheduleAttempts();
    });
  }

  /** One batch in flight at a time: what finishes meanwhile waits for the next (and rides along). */
  private scheduleAttempts(): void {
    if (this.attemptsScheduled || this.stagedAttempts.length === 0) return;
    this.attemptsScheduled = true;
    setImmediate(() => void this.flushAttempts().finally(() => {
      this.attemptsScheduled = false;
      this.scheduleAttempts();
    }));
  }

  private async flushAttempts(): Promise<void> {
    const batch = this.stagedAttempts.splice(0);
    try {
      const results = await this.recordBatch(batch.map((s) => s.r));
      batch.forEach((s, i) => s.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      // One bad attempt must not fail the others: each again, in a transaction of its own.
      for (const s of batch) await this.recordBatch([s.r]).then(([v]) => s.resolve(v!), s.reject);
    }
  }

  /**
   * `batch` in one transaction: the rows first, then health last and in webhook id order (a
   * stable sort: arrival order within one webhook), so the webhooks' rows are locked for the end
   * of the transaction only, always in one order. Counted in recordStats once committed.
   */
  private async recordBatch(batch: readonly AttemptToRecord[]): Promise<Recorded[]> {
    const webhookOf = (x: AttemptToRecord) => x.health?.webhookId ?? x.attempt.webhookId ?? 0;
    const byWebhook = batch.map((r, i) => ({ r, i })).sort((x, y) => webhookOf(x.r) - webhookOf(y.r));
    const results = await this.db.transaction().execute(async (trx) => {
      const superseded: boolean[] = [];
      for (const r of batch) superseded.push(await this.recordRows(trx, r));
      const out: Recorded[] = new Array(batch.length);
      for (const { r, i } of byWebhook) out[i] = await this.recordHealth(trx, r, superseded[i]!);
      return out;
    });
    this.recordStats.commits++;
    this.recordStats.attempts += batch.length;
    return results;
  }

  /** Records a batch in order, in one transaction (tests drive the conditional SQL step by step). */
  recordAttempts(batch: readonly AttemptToRecord[]): Promise<Recorded[]> {
    return this.transaction(async (trx) => {
      const out: Recorded[] = [];
      for (const r of batch) out.push(await this.recordOne(trx, r));
      return out;
    });
  }

  /**
   * One attempt, on `trx`, by the rules and statements of data/attempt-sql.ts — the ones
   * DeliveriesStore runs on the synchronous SQLite handle. The delivery's new state is written
   * only while this worker holds (or last held) its lease, or nobody ever leased it (a test
   * send); otherwise another worker took it over after this worker's lease ran out, and the
   * attempt is `superseded`: its row is kept (outcome 'retrying' when it failed — it decided
   * nothing), the webhook's health still learns from it, but it never disables the webhook.
   * Health is a conditional update from the row's current values, ordered by attempt start
   * (`at`): an older attempt finishing later never overwrites a newer outcome. The disable
   * decision (410 unless a newer attempt succeeded; an exhausted delivery of a webhook failing
   * for `disableAfterMs`) is made from current values too: `disabled` is set only for the
   * attempt whose update disabled the webhook.
   */
  async recordOne(trx: Kysely<OutboxTables>, r: AttemptToRecord): Promise<Recorded> {
    return this.recordHealth(trx, r, await this.recordRows(trx, r));
  }

  /** The attempt record's statements in this store's dialect, bound by name (see data/attempt-sql.ts). */
  private readonly record = (() => {
    const q = attemptStatements(this.dialect);
    return { finish: bindNamed(q.finish), insert: bindNamed(q.insert), health: bindNamed(q.health), disable: bindNamed(q.disable) };
  })();

  /** recordOne's first half: the delivery's new state and the attempt row. Returns whether the attempt was superseded. */
  private async recordRows(trx: Kysely<OutboxTables>, r: AttemptToRecord): Promise<boolean> {
    const finished = await this.record.finish(finishParams(r, this.owner)).execute(trx);
    const superseded = Number(finished.numAffectedRows ?? 0) === 0;
    await this.record.insert(attemptRowParams(r, superseded)).execute(trx);
    return superseded;
  }

  /** recordOne's second half: the webhook's health and the disable decision (locks the webhook's row). */
  private async recordHealth(trx: Kysely<OutboxTables>, { health: h }: AttemptToRecord, superseded: boolean): Promise<Recorded> {
    if (!h) return { disabled: null, superseded };
    await this.record.health(healthParams(h)).execute(trx);
    const disable = disableParams(h, superseded);
    if (!disable) return { disabled: null, superseded };
    const changed = await this.record.disable(disable).execute(trx);
    return { disabled: Number(changed.numAffectedRows ?? 0) ? disable.reason : null, superseded };
  }

  /**
   * Ends a pending delivery without an attempt (its webhook was deactivated or deleted): status
   * `cancelled`, `reason` as its last error, at `now` (ms) — like recording, only while this
   * worker holds or last held its lease (or nobody ever leased it). Returns whether it changed.
   */
  async cancel(id: number, reason: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'cancelled', lease_until: null, next_attempt_at: null, last_error: reason, updated_at: now })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('lease_owner', '=', this.owner), eb('lease_owner', 'is', null)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
