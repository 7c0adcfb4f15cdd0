import type { Db } from '../../../core/db/database.js';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';
export type Trigger = 'event' | 'retry' | 'manual' | 'test';

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
}

export interface NewTarget {
  webhookId: number | null;
  url: string;
  msgId: string;
}

export interface AttemptRecord {
  deliveryId: number;
  webhookId: number | null;
  trigger: Trigger;
  attemptedAt: number;
  requestUrl: string;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  durationMs: number;
  success: boolean;
  errorClass: string | null;
  errorMessage: string | null;
}

export interface DeliveryOutcome {
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  nextTrigger: Trigger;
}

export interface DeliveryListQuery {
  webhookId?: number;
  status?: DeliveryStatus;
  event?: string;
  isTest?: boolean;
  limit: number;
  offset: number;
}

/** Data layer of the durable outbox: events, deliveries and their attempts. */
export class DeliveriesStore {
  private readonly insertEvent;
  private readonly insertDelivery;
  private readonly bumpCount;
  private readonly claimStmt;
  private readonly bodyStmt;
  private readonly insertAttempt;
  private readonly finishStmt;
  private readonly nextDueStmt;

  constructor(private readonly db: Db) {
    this.insertEvent = db.prepare('INSERT INTO webhook_events (id, event, body, is_test, created_at) VALUES (?, ?, ?, ?, ?)');
    this.insertDelivery = db.prepare(
      `INSERT INTO webhook_deliveries (msg_id, webhook_id, event_id, event, url, status, is_test, attempts, max_attempts, next_trigger, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, 0, ?, ?, ?, ?, ?)`,
    );
    this.bumpCount = db.prepare('UPDATE webhooks SET event_count = event_count + 1 WHERE id = ?');
    this.claimStmt = db.prepare(
      `UPDATE webhook_deliveries SET lease_until = @lease
       WHERE id IN (
         SELECT id FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
         ORDER BY next_attempt_at LIMIT @limit)
       RETURNING id, msg_id, webhook_id, event_id, event, url, attempts, max_attempts, next_trigger, is_test`,
    );
    this.bodyStmt = db.prepare('SELECT body FROM webhook_events WHERE id = ?');
    this.insertAttempt = db.prepare(
      `INSERT INTO webhook_attempts (delivery_id, webhook_id, trigger, attempted_at, request_url, request_headers, response_status,
         response_headers, response_body, duration_ms, success, error_class, error_message)
       VALUES (@deliveryId, @webhookId, @trigger, @attemptedAt, @requestUrl, @requestHeaders, @responseStatus, @responseHeaders,
         @responseBody, @durationMs, @success, @errorClass, @errorMessage)`,
    );
    this.finishStmt = db.prepare(
      `UPDATE webhook_deliveries SET status = @status, attempts = @attempts, next_attempt_at = @nextAttemptAt, next_trigger = @nextTrigger,
         lease_until = NULL, last_attempt_at = @attemptedAt, last_http_status = @responseStatus, last_error = @errorMessage, updated_at = @attemptedAt
       WHERE id = @deliveryId`,
    );
    this.nextDueStmt = db.prepare("SELECT MIN(next_attempt_at) AS at FROM webhook_deliveries WHERE status = 'pending'");
  }

  /**
   * Writes the event snapshot and one delivery per target in one transaction, and counts the
   * event on each webhook. Returns the delivery ids.
   */
  enqueue(e: { eventId: string; event: string; body: string; isTest: boolean; now: number; maxAttempts: number; targets: NewTarget[] }): number[] {
    return this.db.transaction(() => {
      this.insertEvent.run(e.eventId, e.event, e.body, e.isTest ? 1 : 0, e.now);
      const ids: number[] = [];
      for (const t of e.targets) {
        const r = this.insertDelivery.run(t.msgId, t.webhookId, e.eventId, e.event, t.url, e.isTest ? 1 : 0, e.maxAttempts, e.isTest ? 'test' : 'event', e.now, e.now, e.now);
        ids.push(Number(r.lastInsertRowid));
        if (t.webhookId !== null && !e.isTest) this.bumpCount.run(t.webhookId);
      }
      return ids;
    })();
  }

  /** Takes up to `limit` due deliveries, leasing them until `now + leaseMs`. */
  claimDue(now: number, limit: number, leaseMs: number): ClaimedDelivery[] {
    const rows = this.claimStmt.all({ now, limit, lease: now + leaseMs }) as Array<Omit<ClaimedDelivery, 'body'> & { event_id: string }>;
    const bodies = new Map<string, string>();
    return rows.map((r) => {
      let body = bodies.get(r.event_id);
      if (body === undefined) {
        body = (this.bodyStmt.get(r.event_id) as { body: string }).body;
        bodies.set(r.event_id, body);
      }
      const { event_id: _ignored, ...rest } = r;
      return { ...rest, body };
    });
  }

  /** Leases survive only the process that took them: a fresh worker releases them all. */
  releaseAllLeases(): number {
    return this.db.prepare("UPDATE webhook_deliveries SET lease_until = NULL WHERE status = 'pending' AND lease_until IS NOT NULL").run().changes;
  }

  /** Records an attempt, its delivery's new state and the webhook's, atomically. */
  record(a: AttemptRecord, outcome: DeliveryOutcome, webhookUpdate?: () => void): void {
    this.db.transaction(() => {
      this.insertAttempt.run({
        ...a,
        requestHeaders: JSON.stringify(a.requestHeaders),
        responseHeaders: a.responseHeaders ? JSON.stringify(a.responseHeaders) : null,
        success: a.success ? 1 : 0,
      });
      this.finishStmt.run({
        deliveryId: a.deliveryId,
        status: outcome.status,
        attempts: outcome.attempts,
        nextAttemptAt: outcome.nextAttemptAt,
        nextTrigger: outcome.nextTrigger,
        attemptedAt: a.attemptedAt,
        responseStatus: a.responseStatus,
        errorMessage: a.success ? null : a.errorMessage,
      });
      webhookUpdate?.();
    })();
  }

  /** Ends a pending delivery without an attempt (its webhook was deactivated or deleted). */
  cancel(id: number, reason: string, now: number): void {
    this.db
      .prepare("UPDATE webhook_deliveries SET status = 'cancelled', lease_until = NULL, next_attempt_at = NULL, last_error = ?, updated_at = ? WHERE id = ?")
      .run(reason, now, id);
  }

  nextDueAt(): number | null {
    return (this.nextDueStmt.get() as { at: number | null }).at;
  }

  get(id: number): Delivery | undefined {
    return this.db.prepare('SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as Delivery | undefined;
  }

  body(eventId: string): string | undefined {
    return (this.bodyStmt.get(eventId) as { body: string } | undefined)?.body;
  }

  attempts(deliveryId: number): Attempt[] {
    return this.db.prepare('SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY id').all(deliveryId) as Attempt[];
  }

  list(q: DeliveryListQuery): { items: Delivery[]; total: number } {
    const where: string[] = [];
    if (q.webhookId !== undefined) where.push('webhook_id = @webhookId');
    if (q.status) where.push('status = @status');
    if (q.event) where.push('event = @event');
    if (q.isTest !== undefined) where.push('is_test = @isTest');
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const params = { webhookId: q.webhookId, status: q.status, event: q.event, isTest: q.isTest ? 1 : 0, limit: q.limit, offset: q.offset };
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

  /** Deletes up to `batch` attempts older than `before`, then finished deliveries and orphan events. */
  prune(before: number, batch: number): number {
    return this.db.transaction(() => {
      let n = this.db.prepare('DELETE FROM webhook_attempts WHERE id IN (SELECT id FROM webhook_attempts WHERE attempted_at < ? LIMIT ?)').run(before, batch).changes;
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

  countPending(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'").get() as { n: number }).n;
  }
}
