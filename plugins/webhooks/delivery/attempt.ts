import type { ClaimedDelivery, DeliveriesStore, DeliveryOutcome, Trigger } from '../data/deliveries-store.js';
import type { WebhooksStore } from '../data/webhooks-store.js';
import type { Webhook } from '../model/webhook.js';
import { deliveryHeaders } from './headers.js';
import { nextRetryDelay } from './retry-schedule.js';
import type { SendResult, Transport } from './transport.js';
import type { AttemptResult } from './worker.js';

export interface AttemptDeps {
  store: DeliveriesStore;
  webhooks: WebhooksStore;
  transport: Transport;
  clock: () => number;
  random: () => number;
  schedule: readonly number[];
  disableAfterMs: number;
  version: string;
  /** Called after the attempt is recorded when it disabled the webhook. */
  onDisabled: (webhook: Webhook, reason: 'gone' | 'failing') => void;
}

/** The secrets to sign with: the current one, and the previous one during its grace period. */
export function signingSecrets(w: Webhook, now: number): string[] {
  const secrets = [w.secret];
  if (w.previous_secret && (w.previous_secret_expires ?? 0) > now) secrets.push(w.previous_secret);
  return secrets;
}

const THROTTLING_STATUSES = new Set([429, 502, 504]);

/**
 * One attempt of one claimed delivery: sign, send, decide (success, retry when, fail,
 * disable), and record attempt + delivery + webhook state in one transaction.
 */
export async function attemptDelivery(d: ClaimedDelivery, deps: AttemptDeps): Promise<AttemptResult> {
  const now = deps.clock();
  const webhook = d.webhook_id === null ? undefined : deps.webhooks.get(d.webhook_id);
  if (!webhook || !webhook.active) {
    const reason = webhook ? 'Not sent: the webhook is inactive.' : 'Not sent: the webhook was deleted.';
    deps.store.cancel(d.id, reason, now);
    return { result: null, outcome: { status: 'cancelled', attempts: d.attempts, nextAttemptAt: null, nextTrigger: d.next_trigger } };
  }
  const headers = deliveryHeaders({
    msgId: d.msg_id,
    timestamp: Math.floor(now / 1000),
    body: d.body,
    secrets: signingSecrets(webhook, now),
    event: d.event,
    version: deps.version,
    isTest: d.is_test === 1,
  });
  // The endpoint's current URL: an admin's fix to a broken URL applies to pending retries.
  const url = webhook.url;
  const result = await deps.transport.send(url, headers, d.body);
  const done = deps.clock();
  const attempts = d.attempts + 1;
  let outcome: DeliveryOutcome;
  let disable: 'gone' | 'failing' | null = null;
  if (result.ok) {
    outcome = { status: 'succeeded', attempts, nextAttemptAt: null, nextTrigger: d.next_trigger };
  } else if (result.status === 410) {
    outcome = { status: 'failed', attempts, nextAttemptAt: null, nextTrigger: d.next_trigger };
    disable = 'gone';
  } else {
    const delay =
      attempts >= d.max_attempts
        ? null
        : nextRetryDelay(deps.schedule, {
            attempts,
            throttled: result.errorClass === 'timeout' || THROTTLING_STATUSES.has(result.status ?? 0),
            retryAfterMs: result.retryAfterMs,
            random: deps.random(),
          });
    outcome =
      delay === null
        ? { status: 'failed', attempts, nextAttemptAt: null, nextTrigger: d.next_trigger }
        : { status: 'pending', attempts, nextAttemptAt: done + delay, nextTrigger: 'retry' satisfies Trigger };
    const failingSince = webhook.failing_since ?? now;
    // Disable only after a long window of continuous failure, never after N quick failures.
    if (outcome.status === 'failed' && done - failingSince >= deps.disableAfterMs) disable = 'failing';
  }
  const patch: Partial<Webhook> = {
    last_status: result.ok ? 'success' : 'failure',
    last_http_status: result.status,
    last_delivery_at: done,
    failing_since: result.ok ? null : (webhook.failing_since ?? now),
    updated_at: done,
  };
  if (disable) Object.assign(patch, { active: false, disabled_reason: disable, disabled_at: done });
  await deps.store.recordSoon(toAttempt({ ...d, url }, d.next_trigger, now, headers, result), outcome, {
    id: webhook.id,
    patch,
    apply: (merged) => deps.webhooks.update(webhook.id, merged as Partial<Webhook>),
  });
  if (disable) deps.onDisabled({ ...webhook, ...patch } as Webhook, disable);
  return { result, outcome };
}

export function toAttempt(d: { id: number; webhook_id: number | null; url: string }, trigger: Trigger, at: number, headers: Record<string, string>, r: SendResult) {
  return {
    deliveryId: d.id,
    webhookId: d.webhook_id,
    trigger,
    attemptedAt: at,
    requestUrl: d.url,
    requestHeaders: headers,
    responseStatus: r.status,
    responseHeaders: r.headers,
    responseBody: r.body,
    durationMs: r.durationMs,
    success: r.ok,
    errorClass: r.errorClass,
    errorMessage: r.errorMessage,
  };
}
