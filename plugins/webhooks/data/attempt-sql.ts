import { sql, type DialectName, type RawBuilder } from '../../../core/plugin-sdk.js';

/*
 * The attempt record, shared by both writers of the outbox (see AttemptStatements below): what
 * one attempt brings, and the one definition of the SQL that stores it. A leaf of the event path.
 */

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';
export type Trigger = 'event' | 'retry' | 'manual' | 'test';

/** One request sent for a delivery, as recorded (times in ms). */
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

/**
 * What an attempt tells about its webhook's health, applied with a conditional update from the
 * row's current values (the `health` statement below). Test sends carry none.
 */
export interface HealthReport {
  webhookId: number;
  ok: boolean;
  httpStatus: number | null;
  /** The attempt's start (ms): outcomes are ordered by it, so an older attempt never overwrites a newer one. */
  at: number;
  /** When it finished (ms): the failure window is measured to here. */
  done: number;
  /** HTTP 410 Gone: disable at once (unless a newer attempt succeeded). */
  gone: boolean;
  /** The delivery failed for good: disable when the webhook has failed continuously for `disableAfterMs`. */
  exhausted: boolean;
  disableAfterMs: number;
}

/** One attempt to record: the attempt row, its delivery's new state and its webhook's health. */
export interface AttemptToRecord {
  attempt: AttemptRecord;
  outcome: DeliveryOutcome;
  health?: HealthReport;
}

/** The delivery's state after an attempt (decided by dispatch from the retry policy). */
export interface DeliveryOutcome {
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  nextTrigger: Trigger;
}

/**
 * The one definition of how an attempt is recorded — its four statements and their parameters —
 * for both writers: DeliveriesStore prepares the statements once on the synchronous SQLite handle
 * and binds the parameter objects by name (the SQLite hot path: no query building per attempt);
 * OutboxStore runs the same text on the query layer (SQLite or PostgreSQL) through `bindNamed`.
 * Per attempt, in one transaction: `finish` (the delivery's new state, only while this worker
 * holds or last held the lease), `insert` (the attempt row), then, when the attempt reports on
 * its webhook's health, `health` and — only when it may disable the webhook — `disable`.
 * Parameters are `@name`; times in unix ms, flags 0/1.
 */
export interface AttemptStatements {
  finish: string;
  insert: string;
  health: string;
  disable: string;
}

/** The statements in `dialect`: SQLite and PostgreSQL differ in MAX/MIN of two values and the index hint only. */
export function attemptStatements(dialect: DialectName): AttemptStatements {
  const pg = dialect === 'postgres';
  const max = pg ? 'GREATEST' : 'MAX';
  const min = pg ? 'LEAST' : 'MIN';
  // SQLite: without statistics the planner may pick another index for the window's subquery.
  const hint = pg ? '' : 'INDEXED BY attempts_webhook_health';
  return {
    finish: `UPDATE webhook_deliveries SET status = @status, attempts = @attempts, next_attempt_at = @nextAttemptAt, next_trigger = @nextTrigger,
         lease_until = NULL, last_attempt_at = @attemptedAt, last_http_status = @responseStatus, last_error = @errorMessage, updated_at = @attemptedAt
       WHERE id = @deliveryId AND (lease_owner = @owner OR lease_owner IS NULL)`,
    insert: `INSERT INTO webhook_attempts (delivery_id, webhook_id, "trigger", attempted_at, request_url, request_headers, response_status,
         response_headers, response_body, duration_ms, success, error_class, error_message, outcome)
       VALUES (@deliveryId, @webhookId, @trigger, @attemptedAt, @requestUrl, @requestHeaders, @responseStatus, @responseHeaders,
         @responseBody, @durationMs, @success, @errorClass, @errorMessage, @outcome)`,
    // Health from the row's current values, never from a copy read when the attempt started.
    // SET expressions all see the row as it was before this UPDATE. Ordered by attempt start:
    // last_* follow the newest attempt; a success closes the failure window unless a failure
    // that started after it was recorded (then the window opens at the first such failure);
    // a failure opens it unless a newer success was recorded, and moves it back to its start.
    health: `UPDATE webhooks SET
         last_status = CASE WHEN @at >= COALESCE(last_delivery_at, -1) THEN @status ELSE last_status END,
         last_http_status = CASE WHEN @at >= COALESCE(last_delivery_at, -1) THEN @httpStatus ELSE last_http_status END,
         last_delivery_at = ${max}(COALESCE(last_delivery_at, -1), @at),
         last_success_at = CASE WHEN @ok = 1 THEN ${max}(COALESCE(last_success_at, -1), @at) ELSE last_success_at END,
         failing_since = CASE
           WHEN COALESCE(last_success_at, -1) > @at THEN failing_since
           WHEN @ok = 0 THEN ${min}(COALESCE(failing_since, @at), @at)
           WHEN failing_since IS NULL THEN NULL
           ELSE (SELECT MIN(a.attempted_at) FROM webhook_attempts a ${hint}
                 WHERE a.webhook_id = webhooks.id AND a.attempted_at > @at AND a.outcome IN ('retrying', 'failed') AND a."trigger" <> 'test')
         END
       WHERE id = @webhookId`,
    // The disable decision, also from current values (after the health update above, in the
    // same transaction): 410 unless a newer attempt succeeded; or an exhausted delivery of a
    // webhook failing continuously for the window. One row changed only for the attempt that disabled it.
    disable: `UPDATE webhooks SET active = 0, disabled_reason = @reason, disabled_at = @done
       WHERE id = @webhookId AND active = 1 AND (
         (@gone = 1 AND COALESCE(last_success_at, -1) <= @at)
         OR (@exhausted = 1 AND failing_since IS NOT NULL AND @done - failing_since >= @disableAfterMs))`,
  };
}

/**
 * `finish`'s parameters. The delivery's new state is written only while `owner` holds (or last
 * held) its lease, or nobody ever leased it (a test send); otherwise another worker took it over
 * after this worker's lease ran out: its state — leased, retried, finished — is the newer owner's,
 * and the attempt is superseded (no row changed).
 */
export function finishParams({ attempt: a, outcome }: AttemptToRecord, owner: string) {
  return {
    deliveryId: a.deliveryId,
    owner,
    status: outcome.status,
    attempts: outcome.attempts,
    nextAttemptAt: outcome.nextAttemptAt,
    nextTrigger: outcome.nextTrigger,
    attemptedAt: a.attemptedAt,
    responseStatus: a.responseStatus,
    errorMessage: a.success ? null : a.errorMessage,
  };
}

/**
 * `insert`'s parameters. The request was sent either way: its attempt row is kept (a superseded
 * one shows the duplicate; it decided nothing, so a failure of it is 'retrying', never 'failed').
 * A test send is no delivery: no outcome, so health charts and latency leave it out, as the
 * Deliveries count and Last delivery do.
 */
export function attemptRowParams({ attempt: a, outcome }: AttemptToRecord, superseded: boolean) {
  return {
    deliveryId: a.deliveryId,
    webhookId: a.webhookId,
    trigger: a.trigger,
    attemptedAt: a.attemptedAt,
    requestUrl: a.requestUrl,
    requestHeaders: JSON.stringify(a.requestHeaders),
    responseStatus: a.responseStatus,
    responseHeaders: a.responseHeaders ? JSON.stringify(a.responseHeaders) : null,
    responseBody: a.responseBody,
    durationMs: a.durationMs,
    success: a.success ? 1 : 0,
    errorClass: a.errorClass,
    errorMessage: a.errorMessage,
    outcome: a.trigger === 'test' ? null : a.success ? 'success' : outcome.status === 'pending' || superseded ? 'retrying' : 'failed',
  };
}

/** `health`'s parameters: ordered by the attempt's start `at`, so an older attempt finishing later never overwrites a newer outcome. */
export function healthParams(h: HealthReport) {
  return { webhookId: h.webhookId, at: h.at, ok: h.ok ? 1 : 0, status: h.ok ? 'success' : 'failure', httpStatus: h.httpStatus };
}

/**
 * `disable`'s parameters and the reason it would record, or null when this attempt cannot
 * disable its webhook: it succeeded, it is neither a 410 nor an exhausted delivery, or it was
 * superseded (the newer owner of the delivery decides). Whether it does is the statement's
 * answer (one row changed), from the webhook's current values.
 */
export function disableParams(h: HealthReport, superseded: boolean) {
  if (superseded || h.ok || (!h.gone && !h.exhausted)) return null;
  const reason = h.gone ? ('gone' as const) : ('failing' as const);
  return { webhookId: h.webhookId, reason, at: h.at, done: h.done, gone: h.gone ? 1 : 0, exhausted: h.exhausted ? 1 : 0, disableAfterMs: h.disableAfterMs };
}

/**
 * A statement with `@name` parameters for the query layer: a function that binds a parameter
 * object and returns the raw query (the dialect's placeholders, `?` or `$n`; a name used twice
 * is bound twice). The text is split once, here.
 * @throws Error naming the parameter when a bound object lacks one (as better-sqlite3 does).
 */
export function bindNamed(text: string): (params: Record<string, unknown>) => RawBuilder<unknown> {
  // Even indices: SQL text; odd: parameter names.
  const parts = text.split(/@([A-Za-z_]\w*)/);
  return (params) =>
    sql.join(
      parts.map((part, i) => {
        if (i % 2 === 0) return sql.raw(part);
        if (!(part in params)) throw new Error(`Missing named parameter "${part}"`);
        return params[part];
      }),
      sql.raw(''),
    );
}
