import type { Attempt, Delivery, Webhook } from '../api.js';

/** Ultimate Multisite's date format in API objects: `YYYY-MM-DD HH:MM:SS`, UTC; null stays null. */
export function apiDate(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export { maskHeaderValue } from '../model/webhook.js';
import { maskHeaderValue } from '../model/webhook.js';

const DATE = { type: ['string', 'null'], pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$', description: 'UTC, YYYY-MM-DD HH:MM:SS' };

/** The webhook object of the API (Ultimate Multisite's fields plus Hookpress's); the secret is never part of it. */
export const WEBHOOK_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'webhook',
  type: 'object',
  required: ['id', 'name', 'webhook_url', 'event', 'event_count', 'active', 'hidden', 'integration', 'date_created', 'date_modified', 'date_last_failed'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    webhook_url: { type: 'string', format: 'uri' },
    event: { type: 'string' },
    event_count: { type: 'integer' },
    active: { type: 'boolean' },
    hidden: { type: 'boolean' },
    integration: { type: 'string' },
    headers: { type: 'array', items: { type: 'object', required: ['name', 'value'], properties: { name: { type: 'string' }, value: { type: 'string', description: 'Masked: `••••`, plus the last 4 characters when the value has at least 16. Sending a value back unchanged keeps the saved one.' } } } },
    disabled_reason: { type: ['string', 'null'], description: "'gone' (the endpoint answered 410) or 'failing'" },
    last_status: { type: ['string', 'null'], enum: ['success', 'failure', null] },
    last_http_status: { type: ['integer', 'null'] },
    date_created: DATE,
    date_modified: DATE,
    date_last_failed: DATE,
    date_last_delivery: DATE,
  },
} as const;

export function webhookObject(w: Webhook): Record<string, unknown> {
  return {
    id: w.id,
    name: w.name,
    webhook_url: w.url,
    event: w.event,
    event_count: w.event_count,
    active: w.active,
    hidden: w.hidden,
    integration: w.integration,
    headers: w.headers.map((h) => ({ name: h.name, value: maskHeaderValue(h.value) })),
    disabled_reason: w.disabled_reason,
    last_status: w.last_status,
    last_http_status: w.last_http_status,
    date_created: apiDate(w.created_at),
    date_modified: apiDate(w.updated_at),
    date_last_failed: apiDate(w.failing_since ?? (w.last_status === 'failure' ? w.last_delivery_at : null)),
    date_last_delivery: apiDate(w.last_delivery_at),
  };
}

export const DELIVERY_SCHEMA = {
  type: 'object',
  required: ['id', 'msg_id', 'webhook_id', 'event', 'status', 'attempts'],
  properties: {
    id: { type: 'integer' },
    msg_id: { type: 'string' },
    event_id: { type: 'string' },
    webhook_id: { type: ['integer', 'null'] },
    event: { type: 'string' },
    url: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'succeeded', 'failed', 'cancelled'] },
    is_test: { type: 'boolean' },
    attempts: { type: 'integer' },
    max_attempts: { type: 'integer' },
    last_http_status: { type: ['integer', 'null'] },
    last_error: { type: ['string', 'null'] },
    date_created: DATE,
    date_next_attempt: DATE,
    date_last_attempt: DATE,
  },
} as const;

export function deliveryObject(d: Delivery): Record<string, unknown> {
  return {
    id: d.id,
    msg_id: d.msg_id,
    event_id: d.event_id,
    webhook_id: d.webhook_id,
    event: d.event,
    url: d.url,
    status: d.status,
    is_test: d.is_test === 1,
    attempts: d.attempts,
    max_attempts: d.max_attempts,
    last_http_status: d.last_http_status,
    last_error: d.last_error,
    date_created: apiDate(d.created_at),
    date_next_attempt: apiDate(d.next_attempt_at),
    date_last_attempt: apiDate(d.last_attempt_at),
  };
}

export const ATTEMPT_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    trigger: { type: 'string' },
    date: DATE,
    request_url: { type: 'string' },
    response_status: { type: ['integer', 'null'] },
    response_body: { type: ['string', 'null'] },
    duration_ms: { type: 'number' },
    success: { type: 'boolean' },
    error_class: { type: ['string', 'null'] },
    error_message: { type: ['string', 'null'] },
  },
} as const;

export function attemptObject(a: Attempt): Record<string, unknown> {
  return {
    id: a.id,
    trigger: a.trigger,
    date: apiDate(a.attempted_at),
    request_url: a.request_url,
    response_status: a.response_status,
    response_body: a.response_body,
    duration_ms: a.duration_ms,
    success: a.success === 1,
    error_class: a.error_class,
    error_message: a.error_message,
  };
}
