import type { Db } from '../../../core/plugin-sdk.js';
import { hostname } from 'node:os';
import { ownerProcess, workerOwnerId } from '../delivery/ids.js';
import { attemptRowParams, attemptStatements, disableParams, finishParams, healthParams, type AttemptToRecord, type DeliveryStatus, type Trigger } from './attempt-sql.js';
import { GroupCommit } from './group-commit.js';

// The attempt record's types live with its statements (data/attempt-sql.ts, a leaf of the event path).
export type { AttemptRecord, AttemptToRecord, DeliveryOutcome, DeliveryStatus, HealthReport, Trigger } from './attempt-sql.js';

export interface Delivery {
  id: number;
  msg_id: string;
  webhook_id: number | null;
  event_id: string;
  event: string;
  url: string;
  status: DeliveryStatus;
  is_test: number;
  attempts: number;
  max_attempts: number;
  next_trigger: Trigger;
  next_attempt_at: number | null;
  lease_until: number | null;
  /** The worker that holds (lease_until set) or last held the lease; null: never leased, or handed back. */
  lease_owner: string | null;
  last_attempt_at: number | null;
  last_http_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** A delivery taken by the worker, with the body to send. */
export interface ClaimedDelivery {
  id: number;
  msg_id: string;
  webhook_id: number | null;
  event: string;
  url: string;
  attempts: number;
  max_attempts: number;
  next_trigger: Trigger;
  is_test: number;
  body: string;
  /** The lease this process holds on it: never sent once the lease has run out (another claim may own it). */
  lease_until: number;
}

export interface Attempt {
  id: number;
  delivery_id: number;
  webhook_id: number | null;
  trigger: Trigger;
  attempted_at: number;
  request_url: string;
  request_headers: string;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  duration_ms: number;
  success: number;
  error_class: string | null;
  error_message: string | null;
  outcome: 'success' | 'retrying' | 'failed' | null;
}

/** An event to write: its snapshot and one delivery per target. */
export interface NewEvent {
  eventId: string;
  event: string;
  body: string;
  isTest: boolean;
  now: number;
  maxAttempts: number;
  targets: NewTarget[];
  /**
   * Written already leased to this store's owner until this time (the running worker takes them
   * at once, no claim) — each delivery whose webhook has fewer than the per-endpoint limit
   * leased; the others are written due now, for a claim.
   */
  leaseUntil?: number;
}

/** What an enqueue wrote: the delivery ids (in target order), and which of them it leased. */
export interface Enqueued {
  ids: number[];
  /** The lease asked for (NewEvent.leaseUntil); undefined: none leased. */
  leaseUntil: number | undefined;
  /** Per id: written leased to this store's owner until `leaseUntil`. */
  leased: boolean[];
  /**
   * A lease was asked for (NewEvent.leaseUntil) and every row not leased was left by the
   * per-endpoint limit alone (not, on PostgreSQL, by a webhook's claim lock held elsewhere): a
   * claim now would find their webhook full.
   */
  offered: boolean;
}

/** Who claims, and how much of one endpoint it may hold: see the DeliveriesStore constructor. */
export interface LeaseSettings {
  /** This worker's owner id, written with every lease it takes (default: workerOwnerId(), host:pid:random). */
  owner?: string;
  /** At most this many deliveries of one webhook leased at a time, by all workers together (default 16). */
  perWebhook?: number;
}

export interface NewTarget {
  webhookId: number | null;
  url: string;
  msgId: string;
}

/**
 * What recording changed: whether this attempt disabled its webhook, and why; `superseded`:
 * the delivery was leased by another worker meanwhile (this worker's lease ran out and was
 * claimed), so only the attempt row and the webhook's health were recorded — the delivery's
 * state is the newer owner's, and a superseded attempt never disables a webhook.
 */
export interface Recorded {
  disabled: 'gone' | 'failing' | null;
  superseded: boolean;
}

export interface DeliveryListQuery {
  webhookId?: number;
  status?: DeliveryStatus;
  event?: string;
  isTest?: boolean;
  /** Only deliveries attempted at least once (with status pending: those being retried). */
  attempted?: boolean;
  /** Only deliveries whose last attempt was at or after this time (ms). */
  attemptedSince?: number;
  limit: number;
  offset: number;
}

/**
 * The outbox store: the one writer of events, deliveries and attempts (and of a webhook's
 * health columns, with each attempt). Enqueue (event + deliveries + counts) is one
 * transaction; claims lease; an attempt is recorded by one call (recordAttempt).
 *
 * Several processes (workers) may share the database: each store is one worker, named by its
 * owner id. A lease is `lease_owner` + `lease_until`; a worker releases and records only rows
 * it holds (or that nobody ever leased, like test sends); a lease that ran out — its process
 * died, or hung — is due again and any worker's claim takes it. The per-endpoint limit is
 * counted from leased rows in the claim itself, so it holds across processes.
 */
export class DeliveriesStore {
  private readonly insertEvent;
  private readonly insertDelivery;
  private readonly bumpCount;
  private readonly dueStmt;
  private readonly leaseStmt;
  private readonly bodyStmt;
  private readonly bodiesStmt;
  private readonly insertAttempt;
  private readonly finishStmt;
  private readonly healthStmt;
  private readonly disableStmt;
  private readonly nextDueStmt;
  private readonly nextDueAfterStmt;
  private readonly heldStmt;
  private readonly heldAllStmt;
  /** This worker's owner id, written with every lease it takes. */
  readonly owner: string;
  /** Deliveries of one webhook leased at a time, by all workers together. */
  readonly perWebhook: number;
  /** The connection's `synchronous` level (2 = FULL, 1 = NORMAL), restored after each claim. */
  private readonly synchronous: number;
  // Transaction functions made once (better-sqlite3 builds wrappers at each db.transaction(fn): see GroupCommit).
  private readonly writeTx: (e: NewEvent) => Enqueued;
  private readonly claimTx: { immediate: (now: number, limit: number, lease: number) => ReturnType<DeliveriesStore['claimRows']> };
  private readonly recordTx: (batch: readonly AttemptToRecord[]) => Recorded[];

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
    /** The shared transaction of this turn's writes: attempts recorded and events fired by units of work. */
    readonly commits: GroupCommit = new GroupCommit(db),
    lease: LeaseSettings = {},
  ) {
    this.owner = lease.owner ?? workerOwnerId();
    this.perWebhook = lease.perWebhook ?? 16;
    if (!Number.isSafeInteger(this.perWebhook) || this.perWebhook < 1) throw new RangeError(`perWebhook must be a positive integer; got ${this.perWebhook}.`);
    this.synchronous = Number(db.pragma('synchronous', { simple: true }));
    this.writeTx = db.transaction((e: NewEvent) => this.writeEvent(e));
    this.claimTx = db.transaction((now: number, limit: number, lease: number) => this.claimRows(now, limit, lease));
    this.recordTx = db.transaction((batch: readonly AttemptToRecord[]) => batch.map((r) => this.recordOne(r)));
    this.insertEvent = db.prepare('INSERT INTO webhook_events (id, event, body, is_test, created_at) VALUES (?, ?, ?, ?, ?)');
    this.insertDelivery = db.prepare(
      `INSERT INTO webhook_deliveries (msg_id, webhook_id, event_id, event, url, status, is_test, attempts, max_attempts, next_trigger, next_attempt_at, lease_until, lease_owner, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // Leases a webhook holds now (any owner): at most about perWebhook index entries.
    this.heldStmt = db.prepare(
      `SELECT COUNT(*) AS n FROM webhook_deliveries INDEXED BY deliveries_leased
       WHERE webhook_id = ? AND status = 'pending' AND lease_until IS NOT NULL AND lease_until > ?`,
    );
    // Leases held now per webhook, all webhooks: one pass over the leased rows (about what is
    // in flight in all processes), so a claim knows which webhooks are full before it scans.
    this.heldAllStmt = db.prepare(
      `SELECT webhook_id AS webhookId, COUNT(*) AS n FROM webhook_deliveries INDEXED BY deliveries_leased
       WHERE status = 'pending' AND lease_until IS NOT NULL AND lease_until > ? GROUP BY webhook_id`,
    );
    this.bumpCount = db.prepare('UPDATE webhooks SET event_count = event_count + 1 WHERE id = ?');
    // The claim, in one IMMEDIATE transaction (claimDue): due rows in due order from @from on,
    // with their webhook, from the due index alone (covering: no table reads), without the
    // webhooks at their limit (@full) — a full webhook's backlog is skipped inside the scan.
    this.dueStmt = db.prepare(
      `SELECT id, webhook_id AS webhookId, next_attempt_at AS due FROM webhook_deliveries INDEXED BY deliveries_due
       WHERE status = 'pending' AND next_attempt_at >= @from AND next_attempt_at <= @now
         AND (webhook_id IS NULL OR webhook_id NOT IN (SELECT value FROM json_each(@full)))
       ORDER BY next_attempt_at LIMIT @chunk`,
    );
    // A claim moves the row's due time to the end of its lease: leased rows leave the due
    // index (claims never re-scan them) and come back by themselves if the lease runs out —
    // a lease that ran out is due again, for any worker.
    this.leaseStmt = db.prepare(
      `UPDATE webhook_deliveries SET lease_until = @lease, next_attempt_at = @lease, lease_owner = @owner
       WHERE id IN (SELECT value FROM json_each(@ids)) AND status = 'pending'
       RETURNING id, msg_id, webhook_id, event_id, event, url, attempts, max_attempts, next_trigger, is_test`,
    );
    this.bodyStmt = db.prepare('SELECT body FROM webhook_events WHERE id = ?');
    this.bodiesStmt = db.prepare('SELECT id, body FROM webhook_events WHERE id IN (SELECT value FROM json_each(?))');
    // The attempt record's statements, shared with OutboxStore (data/attempt-sql.ts): prepared once.
    const record = attemptStatements('sqlite');
    this.finishStmt = db.prepare(record.finish);
    this.insertAttempt = db.prepare(record.insert);
    this.healthStmt = db.prepare(record.health);
    this.disableStmt = db.prepare(record.disable);
    // INDEXED BY: without statistics the planner prefers the status index and sorts every
    // pending row; the partial due index answers in O(log n) (measured: 1.5 ms → µs per claim).
    this.nextDueStmt = db.prepare("SELECT MIN(next_attempt_at) AS at FROM webhook_deliveries INDEXED BY deliveries_due WHERE status = 'pending'");
    this.nextDueAfterStmt = db.prepare(
      "SELECT MIN(next_attempt_at) AS at FROM webhook_deliveries INDEXED BY deliveries_due WHERE status = 'pending' AND next_attempt_at > ?",
    );
  }

  /**
   * Writes the event snapshot and one delivery per target in one transaction, and counts the
   * event on each webhook. Returns the delivery ids. Inside a caller's transaction the rows
   * commit (or roll back) with it; otherwise staged writes are committed first (order kept).
   */
  enqueue(e: NewEvent): number[] {
    return this.enqueueLeased(e).ids;
  }

  /** enqueue, telling which deliveries were written leased to this worker (NewEvent.leaseUntil). */
  enqueueLeased(e: NewEvent): Enqueued {
    if (!this.db.inTransaction) this.commits.flush();
    return this.writeTx(e);
  }

  /**
   * Stages the same writes for the next group commit (shared with other callers' writes in
   * this turn). `committed` runs right after the COMMIT with what was written (ids, and which
   * were leased at write time); the promise resolves after it, and rejects when nothing was stored.
   */
  enqueueLater(e: Omit<NewEvent, 'leaseUntil'> & { lease: (n: number) => number | undefined }, committed: (written: Enqueued) => void): Promise<number[]> {
    return this.commits.add(() => this.writeEvent({ ...e, leaseUntil: e.lease(e.targets.length) }), committed).then((written) => written.ids);
  }

  private writeEvent(e: NewEvent): Enqueued {
    this.insertEvent.run(e.eventId, e.event, e.body, e.isTest ? 1 : 0, e.now);
    const ids: number[] = [];
    const leased: boolean[] = [];
    for (const t of e.targets) {
      // Leased to this worker only while its webhook is under the per-endpoint limit (leases
      // of every process counted, rows written earlier in this transaction included).
      const lease = e.leaseUntil !== undefined && !e.isTest && (t.webhookId === null || this.held(t.webhookId, e.now) < this.perWebhook) ? e.leaseUntil : null;
      // A test delivery is sent inline by its caller: no due time, so the worker never takes it.
      const due = e.isTest ? null : (lease ?? e.now);
      const r = this.insertDelivery.run(t.msgId, t.webhookId, e.eventId, e.event, t.url, e.isTest ? 1 : 0, e.maxAttempts, e.isTest ? 'test' : 'event', due, lease, lease === null ? null : this.owner, e.now, e.now);
      ids.push(Number(r.lastInsertRowid));
      leased.push(lease !== null);
      if (t.webhookId !== null && !e.isTest) this.bumpCount.run(t.webhookId);
    }
    return { ids, leaseUntil: leased.includes(true) ? e.leaseUntil : undefined, leased, offered: e.leaseUntil !== undefined };
  }

  /** How many deliveries of a webhook are leased now (`lease_until > now`, any owner). */
  private held(webhookId: number, now: number): number {
    return (this.heldStmt.get(webhookId, now) as { n: number }).n;
  }

  /**
   * Takes up to `limit` due deliveries, oldest first, leasing them to this worker (`lease_owner`)
   * until `now + leaseMs` (ms). Due: pending and `next_attempt_at <= now` — which includes rows
   * whose lease ran out, whoever held it (a killed process's leases expire and are taken here).
   * A webhook that already has `perWebhook` deliveries leased (by any worker, this one
   * included) gets none; the rest of the batch goes to other webhooks.
   * A lease needs no durability — a lease lost to a power cut only means the delivery is
   * claimed again when it runs out (at-least-once) — so under `synchronous=FULL` the claim
   * commits without waiting for the disk (`NORMAL` for this one transaction; the next FULL commit
   * syncs the log, claims included). Nothing a caller was told is durable is ever written so.
   */
  claimDue(now: number, limit: number, leaseMs: number): ClaimedDelivery[] {
    // Nothing due (one probe of the due index): no write transaction.
    const next = this.nextDueAt();
    if (next === null || next > now || limit <= 0) return [];
    const lease = now + Math.max(1, leaseMs);
    const relax = this.synchronous > 1 && !this.db.inTransaction;
    if (relax) this.db.pragma('synchronous = NORMAL');
    let rows: Array<Omit<ClaimedDelivery, 'body' | 'lease_until'> & { event_id: string }>;
    try {
      // IMMEDIATE: the write lock first, so two processes' claims never read the same rows or counts.
      rows = this.claimTx.immediate(now, limit, lease);
    } finally {
      if (relax) this.db.pragma(`synchronous = ${this.synchronous}`);
    }
    if (rows.length === 0) return [];
    // One query for the bodies of the whole batch.
    const ids = [...new Set(rows.map((r) => r.event_id))];
    const bodies = new Map((this.bodiesStmt.all(JSON.stringify(ids)) as Array<{ id: string; body: string }>).map((b) => [b.id, b.body]));
    return rows.map((r) => {
      const { event_id, ...rest } = r;
      return { ...rest, body: bodies.get(event_id) ?? '', lease_until: lease };
    });
  }

  /**
   * Inside the claim's transaction. Room per webhook: perWebhook minus the leases it holds now
   * (one pass over the leased rows, any owner). Then due rows in due order, in chunks, without
   * the webhooks that have no room left: each is taken while its webhook has room, and what a
   * chunk took is leased at once (it leaves the due range); a chunk stops at the first row of a
   * webhook that filled up in it. So the next chunk, from the last due time taken on, never
   * returns a row twice: each row taken was leased, and a full webhook is now left out. Cost: the due index entries up to the batch's last row — a long backlog of a full
   * webhook ahead of it is walked in the index (measured: about 0.1 µs an entry), not in JS.
   */
  private claimRows(now: number, limit: number, lease: number): Array<Omit<ClaimedDelivery, 'body' | 'lease_until'> & { event_id: string }> {
    const room = new Map<number, number>();
    const full = new Set<number>();
    for (const h of this.heldAllStmt.all(now) as Array<{ webhookId: number | null; n: number }>) {
      if (h.webhookId === null) continue;
      room.set(h.webhookId, this.perWebhook - h.n);
      if (h.n >= this.perWebhook) full.add(h.webhookId);
    }
    const out: Array<Omit<ClaimedDelivery, 'body' | 'lease_until'> & { event_id: string }> = [];
    // Small chunks: rows are built as JS objects only up to where a webhook fills; the rest of
    // its backlog is skipped inside the index by the next query (measured: 512-row chunks built
    // and walked per claim were 20 % of the bench's CPU with one webhook's backlog).
    const chunk = Math.min(Math.max(limit, 1), 64);
    let from = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const due = this.dueStmt.all({ now, from, full: JSON.stringify([...full]), chunk }) as Array<{ id: number; webhookId: number | null; due: number }>;
      const take: number[] = [];
      // A row of a webhook that filled up in this chunk: query again, that webhook left out.
      let refill = false;
      for (const d of due) {
        if (out.length + take.length >= limit) break;
        if (d.webhookId !== null) {
          const left = room.get(d.webhookId) ?? this.perWebhook;
          if (left <= 0) {
            refill = true;
            break;
          }
          room.set(d.webhookId, left - 1);
          if (left === 1) full.add(d.webhookId);
        }
        // Rows due at the same time as this one and not seen yet come back in the next query (>= from).
        from = d.due;
        take.push(d.id);
      }
      if (take.length) {
        const leased = new Map((this.leaseStmt.all({ ids: JSON.stringify(take), lease, owner: this.owner }) as typeof out).map((r) => [r.id, r]));
        // In due order, as taken.
        for (const id of take) if (leased.has(id)) out.push(leased.get(id)!);
      }
      if (out.length >= limit || (!refill && due.length < chunk)) return out;
    }
  }

  /**
   * Gives back leases this worker will not use (a stopping worker's queue): due again at `now`
   * (ms), owner cleared. Only rows this worker holds: an id whose lease another worker took
   * over meanwhile is left alone. Returns how many were released.
   */
  releaseLeases(ids: readonly number[], now: number): number {
    if (ids.length === 0) return 0;
    return this.db
      .prepare(
        `UPDATE webhook_deliveries SET lease_until = NULL, lease_owner = NULL, next_attempt_at = ?
         WHERE status = 'pending' AND lease_owner = ? AND lease_until IS NOT NULL AND id IN (SELECT value FROM json_each(?))`,
      )
      .run(now, this.owner, JSON.stringify(ids)).changes;
  }

  /**
   * Hands back the leases of workers on this machine whose process is gone (killed, crashed):
   * due again at `now` (ms) instead of after their lease runs out. An owner id is
   * `host:pid:random` (workerOwnerId); a lease is released only when its host is `host` and its
   * pid is not alive (`isAlive`, by default `process.kill(pid, 0)`: ESRCH means no such
   * process). A pid the system reused for another process reads as alive, so its leases simply
   * run out — never released while their holder may still send. Returns how many were released.
   */
  releaseDeadOwners(now: number, isAlive: (pid: number) => boolean = pidAlive, host: string = hostname()): number {
    const owners = this.db
      .prepare("SELECT DISTINCT lease_owner AS owner FROM webhook_deliveries WHERE status = 'pending' AND lease_owner IS NOT NULL")
      .all() as Array<{ owner: string }>;
    const release = this.db.prepare(
      "UPDATE webhook_deliveries SET lease_until = NULL, lease_owner = NULL, next_attempt_at = ? WHERE status = 'pending' AND lease_owner = ?",
    );
    let released = 0;
    for (const { owner } of owners) {
      const holder = ownerProcess(owner);
      if (!holder || holder.host !== host || owner === this.owner) continue;
      if (holder.pid === process.pid || isAlive(holder.pid)) continue;
      released += release.run(now, owner).changes;
    }
    return released;
  }

  /**
   * The one way an attempt is recorded: the attempt row, its delivery's new state and its
   * webhook's health, in one transaction. Group commit: attempts that finish in the same turn
   * of the event loop share one transaction with each other and with events fired by units of
   * work (a commit per batch), applied in arrival order. Resolves once durable; rejects when
   * the transaction fails (the whole batch on a failed COMMIT) — the leases then run out and
   * the deliveries are tried again.
   */
  recordAttempt(r: AttemptToRecord): Promise<Recorded> {
    return this.commits.add(() => this.recordOne(r));
  }

  /** Records a batch at once, in order, in one transaction (tests drive the conditional SQL step by step). */
  recordAttempts(batch: readonly AttemptToRecord[]): Recorded[] {
    this.commits.flush();
    return this.recordTx(batch);
  }

  /** One attempt, by the rules and statements of data/attempt-sql.ts (see there). */
  private recordOne(r: AttemptToRecord): Recorded {
    const superseded = this.finishStmt.run(finishParams(r, this.owner)).changes === 0;
    this.insertAttempt.run(attemptRowParams(r, superseded));
    const h = r.health;
    if (!h) return { disabled: null, superseded };
    this.healthStmt.run(healthParams(h));
    const disable = disableParams(h, superseded);
    if (!disable) return { disabled: null, superseded };
    return { disabled: this.disableStmt.run(disable).changes ? disable.reason : null, superseded };
  }

  /**
   * Ends a pending delivery without an attempt (its webhook was deactivated or deleted) — like
   * recording, only while this worker holds or last held its lease (or nobody ever leased it).
   */
  cancel(id: number, reason: string, now: number): void {
    this.db
      .prepare(
        `UPDATE webhook_deliveries SET status = 'cancelled', lease_until = NULL, next_attempt_at = NULL, last_error = ?, updated_at = ?
         WHERE id = ? AND (lease_owner = ? OR lease_owner IS NULL)`,
      )
      .run(reason, now, id, this.owner);
  }

  /**
   * When the next pending delivery is due (ms), or null when none is. With `now`: the first due
   * time after it — rows due already but held back by the per-endpoint limit are left out.
   */
  nextDueAt(now?: number): number | null {
    return ((now === undefined ? this.nextDueStmt.get() : this.nextDueAfterStmt.get(now)) as { at: number | null }).at;
  }

  get(id: number): Delivery | undefined {
    this.commits.flush();
    return this.db.prepare('SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as Delivery | undefined;
  }

  body(eventId: string): string | undefined {
    this.commits.flush();
    return (this.bodyStmt.get(eventId) as { body: string } | undefined)?.body;
  }

  attempts(deliveryId: number): Attempt[] {
    this.commits.flush();
    return this.db.prepare('SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY id').all(deliveryId) as Attempt[];
  }

  list(q: DeliveryListQuery): { items: Delivery[]; total: number } {
    this.commits.flush();
    const where: string[] = [];
    if (q.webhookId !== undefined) where.push('webhook_id = @webhookId');
    if (q.status) where.push('status = @status');
    if (q.event) where.push('event = @event');
    if (q.isTest !== undefined) where.push('is_test = @isTest');
    if (q.attempted) where.push('attempts > 0');
    if (q.attemptedSince !== undefined) where.push('last_attempt_at >= @attemptedSince');
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const params = {
      webhookId: q.webhookId,
      status: q.status,
      event: q.event,
      isTest: q.isTest ? 1 : 0,
      attemptedSince: q.attemptedSince,
      limit: q.limit,
      offset: q.offset,
    };
    const items = this.db.prepare(`SELECT * FROM webhook_deliveries ${w} ORDER BY id DESC LIMIT @limit OFFSET @offset`).all(params) as Delivery[];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM webhook_deliveries ${w}`).get(params) as { n: number }).n;
    return { items, total };
  }

  /** Makes a finished delivery due now for one more attempt (manual resend); keeps its msg id. */
  requeue(id: number, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = @now, lease_until = NULL, next_trigger = 'manual',
             max_attempts = attempts + 1, updated_at = @now WHERE id = @id AND status IN ('failed', 'succeeded', 'cancelled')`,
        )
        .run({ id, now }).changes > 0
    );
  }

  /** Requeues every failed (or cancelled) delivery of a webhook created since `since`. */
  requeueFailedSince(webhookId: number, since: number, now: number): number {
    return this.db
      .prepare(
        `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = @now, lease_until = NULL, next_trigger = 'manual',
           max_attempts = attempts + 1, updated_at = @now
         WHERE webhook_id = @webhookId AND status IN ('failed', 'cancelled') AND is_test = 0 AND created_at >= @since`,
      )
      .run({ webhookId, since, now }).changes;
  }

  /** The delivery that carried a webhook-id (the inspector checks signatures with its webhook's secret). */
  byMsgId(msgId: string): Delivery | undefined {
    this.commits.flush();
    return this.db.prepare('SELECT * FROM webhook_deliveries WHERE msg_id = ?').get(msgId) as Delivery | undefined;
  }

  /** Deletes up to `batch` attempts older than `before`, then finished deliveries and orphan events. */
  prune(before: number, batch: number): number {
    return this.db.transaction(() => {
      let n = this.db
        .prepare('DELETE FROM webhook_attempts WHERE id IN (SELECT id FROM webhook_attempts INDEXED BY attempts_time_health WHERE attempted_at < ? LIMIT ?)')
        .run(before, batch).changes;
      n += this.db
        .prepare("DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE status != 'pending' AND updated_at < ? LIMIT ?)")
        .run(before, batch).changes;
      n += this.db
        .prepare(
          'DELETE FROM webhook_events WHERE id IN (SELECT e.id FROM webhook_events e WHERE e.created_at < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id) LIMIT ?)',
        )
        .run(before, batch).changes;
      return n;
    })();
  }

  /** How many deliveries each webhook has in the log (test sends excluded: they are not deliveries), in one query. */
  countsByWebhook(webhookIds: number[]): Map<number, number> {
    this.commits.flush();
    const out = new Map<number, number>(webhookIds.map((id) => [id, 0]));
    if (!webhookIds.length) return out;
    const rows = this.db
      .prepare('SELECT webhook_id AS w, COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id IN (SELECT value FROM json_each(?)) AND is_test = 0 GROUP BY webhook_id')
      .all(JSON.stringify(webhookIds)) as Array<{ w: number; n: number }>;
    for (const r of rows) out.set(r.w, r.n);
    return out;
  }

  /** How many deliveries a webhook has in the log, and how many attempts they took in all. */
  totalsOf(webhookId: number): { deliveries: number; attempts: number } {
    this.commits.flush();
    return this.db
      .prepare('SELECT COUNT(*) AS deliveries, COALESCE(SUM(attempts), 0) AS attempts FROM webhook_deliveries WHERE webhook_id = ? AND is_test = 0')
      .get(webhookId) as { deliveries: number; attempts: number };
  }

  countPending(): number {
    this.commits.flush();
    return (this.db.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'").get() as { n: number }).n;
  }
}

/** Whether a process with this pid exists on this machine (EPERM: it exists, not ours). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
