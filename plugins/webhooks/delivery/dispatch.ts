/**
 * The event's path, in six files of this plugin, one direction (test/plugins/webhooks/architecture.test.ts
 * keeps it so):
 *   `delivery/outbox.ts` (wu_do_event: shape the payload, write the event and its deliveries in one
 *   store call, offer them to the worker after commit) → `data/deliveries-store.ts` (enqueue, claim
 *   with a lease; its writes share transactions through `data/group-commit.ts`) → `delivery/worker.ts`
 *   (global and per-endpoint limits, queues) → this module (prepare → send → decide → record) →
 *   `delivery/transport.ts` (the request) → back to `data/deliveries-store.ts` (recordAttempt:
 *   attempt, delivery and health in one transaction).
 * Not the path: leaf modules the path calls and that call nothing back. Pure functions —
 * `delivery/retry-policy.ts` (the schedule, jitter, Retry-After: decide's policy), `delivery/signing.ts`,
 * `delivery/ssrf-guard.ts` (the verdict on an address, used inside the transport's lookup),
 * `delivery/ids.ts`, `model/webhook.ts` (header masking), `events/registry.ts` (the event type's
 * lookup), `errors.ts`, `data/attempt-sql.ts` (the attempt record's types and statements, the
 * one definition both stores run) — and two reads of `data/webhooks-store.ts` (the subscribers at
 * enqueue, the endpoint as it is now at prepare: a SELECT each, no decision). Announcing a webhook the record
 * stage disabled (`onDisabled`: notice, action) happens after the path ends.
 */
import type { Logger } from 'pino';
import type { Hooks } from '../../../core/plugin-sdk.js';
import type { AttemptToRecord, ClaimedDelivery, DeliveryOutcome, Recorded } from '../data/deliveries-store.js';
import { maskHeaderValue, type Webhook } from '../model/webhook.js';
import { nextRetryDelay } from './retry-policy.js';
import { liveSecrets, signatureHeader } from './signing.js';
import type { Lane, SendResult, Transport } from './transport.js';

export const USER_AGENT_PRODUCT = 'Hookpress-Webhooks';

/**
 * Filter applied to each request in the prepare stage, like WooCommerce's
 * `woocommerce_webhook_http_args`: (args { headers }, delivery, webhook) → args. The
 * Standard Webhooks headers are set after it, so a filter cannot forge or drop them.
 */
export const HTTP_ARGS_FILTER = 'hookpress_webhook_http_args';

/**
 * Where dispatch records: the record stage's one call and cancel, under this worker's owner id.
 * On SQLite data/deliveries-store.ts's DeliveriesStore (group-committed), on PostgreSQL
 * data/outbox-store.ts's OutboxStore (same rules, on the query layer).
 */
export interface RecordStore {
  /** Attempt, delivery state and webhook health in one transaction; resolves once committed. */
  recordAttempt(r: AttemptToRecord): Promise<Recorded>;
  /** Ends a pending delivery without an attempt (`reason` as its last error, at `now`, ms). */
  cancel(id: number, reason: string, now: number): unknown;
}

export interface DispatchDeps {
  store: RecordStore;
  /**
   * The webhook as it is now, by id (undefined: deleted) — data/webhooks-store.ts's `get` on
   * SQLite, its `getAsync` on PostgreSQL.
   */
  findWebhook: (id: number) => Webhook | undefined | Promise<Webhook | undefined>;
  transport: Transport;
  hooks: Hooks;
  logger: Logger;
  clock: () => number;
  /** A number in [0, 1) for jitter. */
  random: () => number;
  schedule: readonly number[];
  disableAfterMs: number;
  version: string;
  /** Told after the attempt that disabled a webhook was recorded. */
  onDisabled: (webhook: Webhook, reason: 'gone' | 'failing') => void;
}

/** A test send to a URL that is not a saved webhook (the Add New form). */
export interface UnsavedTarget {
  url: string;
  secrets: string[];
}

/** The prepare stage's result: a signed request, or a reason not to send at all. */
export type Prepared =
  | { send: true; webhook: Webhook | undefined; url: string; headers: Record<string, string>; at: number }
  | { send: false; reason: string; at: number };

export interface Dispatched {
  result: SendResult | null;
  outcome: DeliveryOutcome;
  recorded: Recorded | null;
}

/**
 * The outcome of one attempt — the decide stage, a pure function: success on 2xx; 410 fails
 * for good and disables; otherwise the retry policy says when to try again, or the delivery
 * is exhausted. `done` is when the attempt finished (ms).
 */
export function decide(
  d: Pick<ClaimedDelivery, 'attempts' | 'max_attempts' | 'next_trigger'>,
  r: SendResult,
  ctx: { done: number; random: number; schedule: readonly number[] },
): DeliveryOutcome & { gone: boolean; exhausted: boolean } {
  const attempts = d.attempts + 1;
  if (r.ok) return { status: 'succeeded', attempts, nextAttemptAt: null, nextTrigger: d.next_trigger, gone: false, exhausted: false };
  if (r.status === 410) return { status: 'failed', attempts, nextAttemptAt: null, nextTrigger: d.next_trigger, gone: true, exhausted: true };
  const delay =
    attempts >= d.max_attempts
      ? null
      : nextRetryDelay(ctx.schedule, { attempts, status: r.status, timedOut: r.errorClass === 'timeout', retryAfterMs: r.retryAfterMs, random: ctx.random });
  if (delay === null) return { status: 'failed', attempts, nextAttemptAt: null, nextTrigger: d.next_trigger, gone: false, exhausted: true };
  return { status: 'pending', attempts, nextAttemptAt: ctx.done + delay, nextTrigger: 'retry', gone: false, exhausted: false };
}

/** An attempt that failed on our side: recorded as error class `internal` and retried by the schedule. */
export function internalFailure(error: unknown, stage: string): SendResult {
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, status: null, headers: null, body: null, durationMs: 0, errorClass: 'internal', errorMessage: `Internal error while ${stage}: ${message}` };
}

/**
 * Dispatch: one attempt of one delivery, in four named stages — prepare (the endpoint's
 * current URL, live secrets, headers, signature) → send (the transport) → decide (pure, the
 * retry policy) → record (one store call: attempt, delivery, webhook health). Real deliveries
 * (from the worker) and test sends take this same path. `run` never throws: a fault in any
 * stage becomes an `internal` attempt; only a failed record is left to the lease.
 */
export class Dispatch {
  constructor(private readonly o: DispatchDeps) {}

  async run(d: ClaimedDelivery, opts: { lane?: Lane; signal?: AbortSignal; target?: UnsavedTarget } = {}): Promise<Dispatched> {
    const started = this.o.clock();
    let prepared: Prepared;
    try {
      const webhook = opts.target || d.webhook_id === null ? undefined : await this.o.findWebhook(d.webhook_id);
      prepared = this.prepare(d, started, opts.target, webhook);
    } catch (error) {
      return this.finish(d, undefined, d.url, {}, started, internalFailure(error, 'preparing the request'));
    }
    if (!prepared.send) {
      try {
        await this.o.store.cancel(d.id, prepared.reason, started);
      } catch (error) {
        this.o.logger.error({ err: error, delivery: d.id }, 'cancelling a delivery failed; its lease will run out');
      }
      return { result: null, outcome: { status: 'cancelled', attempts: d.attempts, nextAttemptAt: null, nextTrigger: d.next_trigger }, recorded: null };
    }
    let result: SendResult;
    try {
      result = await this.o.transport.send(prepared.url, prepared.headers, d.body, { lane: opts.lane, signal: opts.signal });
    } catch (error) {
      result = internalFailure(error, 'sending');
    }
    return this.finish(d, prepared.webhook, prepared.url, prepared.headers, started, result);
  }

  /**
   * Prepare: what to send, from the webhook as it is now (`current`, read by `run` just before:
   * an admin's fix to its URL applies to retries); `target` instead for an unsaved test send.
   */
  prepare(d: ClaimedDelivery, now: number, target?: UnsavedTarget, current?: Webhook): Prepared {
    let webhook: Webhook | undefined;
    let url: string;
    let secrets: string[];
    if (target) {
      url = target.url;
      secrets = target.secrets;
    } else {
      webhook = current;
      if (!webhook) return { send: false, reason: 'Not sent: the webhook was deleted.', at: now };
      // A test send tries an endpoint whatever its state; a real delivery needs an active webhook.
      if (!webhook.active && !d.is_test) return { send: false, reason: 'Not sent: the webhook is inactive.', at: now };
      url = webhook.url;
      secrets = liveSecrets(webhook, now);
    }
    const timestamp = Math.floor(now / 1000);
    const base: Record<string, string> = {};
    // The webhook's custom headers (an Authorization its receiver wants…); validation refused
    // hop-by-hop, content-* and signature names, and those below are set last anyway.
    for (const h of webhook?.headers ?? []) base[h.name.toLowerCase()] = h.value;
    Object.assign(base, { 'content-type': 'application/json', 'user-agent': `${USER_AGENT_PRODUCT}/${this.o.version} (Hookpress)` });
    const args = this.o.hooks.apply_filters(HTTP_ARGS_FILTER, { headers: base }, { id: d.id, msg_id: d.msg_id, event: d.event, is_test: d.is_test === 1 }, webhook) as {
      headers?: Record<string, string>;
    };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(args?.headers ?? base)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    Object.assign(headers, {
      'webhook-id': d.msg_id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(secrets, d.msg_id, timestamp, d.body),
      'x-hookpress-event': d.event,
    });
    if (d.is_test) headers['x-hookpress-test'] = 'true';
    return { send: true, webhook, url, headers, at: now };
  }

  /** Decide, then record; a fault in decide is itself an internal failure. */
  private async finish(d: ClaimedDelivery, webhook: Webhook | undefined, url: string, headers: Record<string, string>, started: number, sent: SendResult): Promise<Dispatched> {
    let result = sent;
    let decision: ReturnType<typeof decide>;
    const done = this.o.clock();
    try {
      decision = decide(d, result, { done, random: this.o.random(), schedule: this.o.schedule });
    } catch (error) {
      result = internalFailure(error, 'deciding the outcome');
      decision = decide(d, result, { done, random: 0.5, schedule: this.o.schedule });
    }
    const { gone, exhausted, ...outcome } = decision;
    const record: AttemptToRecord = {
      attempt: {
        deliveryId: d.id,
        webhookId: d.webhook_id,
        trigger: d.next_trigger,
        attemptedAt: started,
        requestUrl: url,
        // Custom header values (credentials, often) are masked in the log.
        requestHeaders: maskCustomHeaders(headers, webhook),
        responseStatus: result.status,
        responseHeaders: result.headers,
        responseBody: result.body,
        durationMs: result.durationMs,
        success: result.ok,
        errorClass: result.errorClass,
        errorMessage: result.errorMessage,
      },
      outcome,
      // Test sends say nothing about a webhook's health.
      health:
        webhook && !d.is_test
          ? { webhookId: webhook.id, ok: result.ok, httpStatus: result.status, at: started, done, gone, exhausted, disableAfterMs: this.o.disableAfterMs }
          : undefined,
    };
    let recorded: Recorded | null = null;
    try {
      recorded = await this.o.store.recordAttempt(record);
    } catch (error) {
      // Nothing is lost: the lease runs out and the delivery is attempted again.
      this.o.logger.error({ err: error, delivery: d.id }, 'recording an attempt failed; the delivery will be retried when its lease ends');
      return { result, outcome, recorded: null };
    }
    if (recorded.superseded) {
      // Our lease ran out mid-attempt and another worker took the delivery: the receiver may get
      // it twice (same webhook-id). A lease shorter than the slowest attempt makes this common.
      this.o.logger.warn({ delivery: d.id, msg_id: d.msg_id }, 'attempt finished after its lease was taken over by another worker; the delivery is theirs now');
    }
    if (recorded.disabled && webhook) {
      try {
        this.o.onDisabled({ ...webhook, active: false, disabled_reason: recorded.disabled, disabled_at: done }, recorded.disabled);
      } catch (error) {
        this.o.logger.error({ err: error, webhook: webhook.id }, 'announcing a disabled webhook failed');
      }
    }
    return { result, outcome, recorded };
  }
}

/** The request headers as logged: a webhook's custom header values masked. */
export function maskCustomHeaders(headers: Record<string, string>, webhook: Webhook | undefined): Record<string, string> {
  if (!webhook?.headers?.length) return headers;
  const out = { ...headers };
  for (const h of webhook.headers) {
    const k = h.name.toLowerCase();
    if (k in out) out[k] = maskHeaderValue(out[k]!);
  }
  return out;
}
