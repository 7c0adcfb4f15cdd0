/**
 * The webhooks plugin's public API: the only thing it offers other plugins (as the service
 * 'webhooks', `api.services.get<WebhooksApi>('webhooks')`). Types only — importing this module
 * pulls in no code. Every bad input is a `WebhookError` (see ./errors.ts) with a stable `code`
 * and the `field` at fault; messages are for people and may change.
 *
 * Names: WordPress / Ultimate Multisite names (`wu_…`, snake_case) where those products have
 * the function, camelCase for everything else.
 */
import type { Delivery, DeliveryStatus, Attempt } from './data/deliveries-store.js';
import type { ErrorClass } from './delivery/transport.js';
import type { EventType, EventTypeDefinition, Payload } from './events/registry.js';
import type { Webhook, WebhookInput } from './model/webhook.js';
import type { WebhookListQuery } from './data/webhooks-store.js';

export type { Delivery, DeliveryStatus, Attempt, ErrorClass, EventType, EventTypeDefinition, Payload, Webhook, WebhookInput, WebhookListQuery };
export type { WebhookErrorCode } from './errors.js';

/** What `wu_register_all_events` callbacks receive (Ultimate Multisite's registration API). */
export interface EventRegistrar {
  /** Registers (or replaces) an event type. Throws `EVENT_TYPE_INVALID` (field slug|name|desc|payload|hook). */
  wu_register_event_type(slug: string, def: EventTypeDefinition): void;
  /** Alias of `wu_register_event_type`. */
  register_event_type(slug: string, def: EventTypeDefinition): void;
}

/** The result of `send_test_event`: what the endpoint answered to one signed test request. */
export interface TestResult {
  /** The endpoint answered 2xx. */
  ok: boolean;
  /** HTTP status, or null when no response arrived (see errorClass). */
  status: number | null;
  /** Wall time of the request, in milliseconds. */
  durationMs: number;
  /** The first 500 characters of the response body, or null without a response. */
  responseExcerpt: string | null;
  /** Why it failed: 'dns' | 'refused' | 'timeout' | 'tls' | 'blocked' | 'http' | 'network' | 'internal'; null on success. */
  errorClass: ErrorClass | null;
  /** The failure in plain words for an admin; null on success. */
  errorMessage: string | null;
  /** The test delivery recorded in the log (with its one attempt). */
  deliveryId: number;
  /** The `webhook-id` the request carried. */
  msgId: string;
}

/** One delivery with the body it sends and every attempt so far (oldest first). */
export interface DeliveryDetail {
  delivery: Delivery;
  /** The event's JSON snapshot, exactly the bytes sent. */
  body: string;
  attempts: Attempt[];
}

/** Filters of `list_deliveries`. */
export interface DeliveryListFilter {
  webhookId?: number;
  /** 'pending' | 'succeeded' | 'failed' | 'cancelled'. */
  status?: DeliveryStatus | string;
  event?: string;
  isTest?: boolean;
  /** Only deliveries attempted at least once (with status `pending`: those being retried). */
  attempted?: boolean;
  /** Only deliveries whose last attempt was at or after this time (ms since the epoch). */
  attemptedSince?: number;
  /** 1–500, default 20. */
  limit?: number;
  /** ≥ 0, default 0. */
  offset?: number;
}

/** A target for `send_test_event` that is not (yet) a saved webhook, e.g. the Add New form. */
export interface TestTarget {
  url: string;
  event: string;
  /** Signing secret (`whsec_…`); a fresh one when omitted. */
  secret?: string;
}

/**
 * Asynchronous twins of WebhooksApi's webhook and delivery-log methods: the same arguments,
 * answers and WebhookErrors (as rejections), on either backend. On SQLite they wrap the
 * synchronous methods; on PostgreSQL — where the synchronous ones throw SYNC_NEEDS_SQLITE, there
 * being no synchronous database handle — they are the way in. Other plugins reach them as
 * `WebhooksApi.async` (like Node's `fs.promises`); the REST routes, admin screens and CLI use them too.
 */
export interface WebhooksAsyncApi {
  /** WebhooksApi.create_webhook, resolved once stored. */
  create_webhook(input: WebhookInput): Promise<Webhook>;
  /** WebhooksApi.get_webhook. */
  get_webhook(id: number): Promise<Webhook>;
  /** WebhooksApi.update_webhook. */
  update_webhook(id: number, patch: WebhookInput): Promise<Webhook>;
  /** WebhooksApi.delete_webhook. */
  delete_webhook(id: number): Promise<boolean>;
  /** WebhooksApi.list_webhooks. */
  list_webhooks(q?: Partial<WebhookListQuery>): Promise<{ items: Webhook[]; total: number }>;
  /** WebhooksApi.list_deliveries. */
  list_deliveries(q?: DeliveryListFilter): Promise<{ items: Delivery[]; total: number }>;
  /** WebhooksApi.get_delivery. */
  get_delivery(id: number): Promise<DeliveryDetail>;
  /** WebhooksApi.rotate_secret. */
  rotate_secret(id: number, secret?: string): Promise<Webhook>;
  /** WebhooksApi.resend_delivery. */
  resend_delivery(id: number): Promise<Delivery>;
  /** WebhooksApi.recover_failed_deliveries. */
  recover_failed_deliveries(webhookId: number, since: number | Date): Promise<number>;
}

/**
 * The webhooks plugin's API for other plugins. Times are Unix epoch milliseconds; ids are
 * integers; webhooks are returned as stored (`Webhook`, including `secret` — callers showing a
 * webhook to someone decide whether to show it).
 *
 * Backends: every method works on SQLite. On PostgreSQL (no synchronous database handle) the
 * event methods (`wu_register_event_type`, `wu_get_event_type(s)`, `wu_do_event`) and
 * `send_test_event` work; the other synchronous methods throw WebhookError `SYNC_NEEDS_SQLITE`
 * (status 500), whose message names the twin to call instead (`webhooks.async.<method>`). Those
 * twins, `async` (WebhooksAsyncApi), work on both backends: code meant to run on either uses them.
 */
export interface WebhooksApi {
  // ── Events ────────────────────────────────────────────────────────────────────────────

  /**
   * Registers (or replaces) an event type; prefer doing so on `wu_register_all_events`, which
   * re-collects types whenever plugins change. Ultimate Multisite's `wu_register_event_type`.
   * @throws WebhookError `EVENT_TYPE_INVALID` (field `slug` — 2–64 of [a-z0-9_] — `name`, `desc`, `payload` or `hook`).
   */
  wu_register_event_type(slug: string, def: EventTypeDefinition): EventType;

  /** Every registered event type, in registration order. Ultimate Multisite's `wu_get_event_types`. */
  wu_get_event_types(): EventType[];

  /** One event type, or undefined. Ultimate Multisite's `wu_get_event_type`. */
  wu_get_event_type(slug: string): EventType | undefined;

  /**
   * Fires an event: adds `hookpress_version`, applies the filter `wu_event_payload` (payload,
   * slug), writes the snapshot and one delivery per active subscribed webhook in one
   * transaction, then fires the actions `wu_event` (slug, payload) and `wu_event_{slug}`
   * (payload). Called inside the caller's own database transaction, the event commits or rolls
   * back with the caller's change (transactional outbox). Called while serving an HTTP request
   * (a unit of work) outside a transaction, it is committed at the end of this turn of the event
   * loop together with other requests' events (group commit), and the request is answered once
   * it is durable. Ultimate Multisite's `wu_do_event`.
   * @returns the event id (`evt_…`), or false — with a logged warning — for an unknown slug.
   * @throws WebhookError `INVALID_ARGUMENT` (field `payload`): not a plain object, or not JSON-serialisable.
   */
  wu_do_event(slug: string, payload: Payload): string | false;

  // ── Webhooks ──────────────────────────────────────────────────────────────────────────

  /**
   * Creates a webhook (active unless `active: false`) with a fresh signing secret; fires
   * `wu_webhook_created` (the webhook without secrets).
   * @throws WebhookValidationError (a WebhookError, code `WEBHOOK_INVALID`, `field` the first
   *   field at fault) with every field at fault at once: `fields` has one message per field and
   *   `errors` lists `{ field, code, message }` (code `EVENT_UNKNOWN`, `EBLOCKED` or
   *   `WEBHOOK_INVALID`) — `name` (2–200 characters), `url` (absolute http(s), no credentials,
   *   ≤ 2000 characters, not an IP literal the SSRF guard refuses: EBLOCKED), `event` (a
   *   registered slug), `active` (boolean), `secret`
   *   (optional: `whsec_` + strict base64 of 24–64 bytes, or that base64 without the prefix, read
   *   as the `standardwebhooks` and `svix` libraries read it; generated when omitted).
   * On PostgreSQL: WebhookError `SYNC_NEEDS_SQLITE` — use `async.create_webhook`.
   */
  create_webhook(input: WebhookInput): Webhook;

  /**
   * One webhook. @throws WebhookError `WEBHOOK_NOT_FOUND` (field `id`).
   * On PostgreSQL: WebhookError `SYNC_NEEDS_SQLITE` — use `async.get_webhook`.
   */
  get_webhook(id: number): Webhook;

  /**
   * Changes the given fields only; re-activating a webhook the system disabled clears its
   * failure window; a new `secret` is a rotation (the old one keeps its grace). Fires
   * `wu_webhook_updated` (new, old — without secrets).
   * @throws WebhookError `WEBHOOK_NOT_FOUND` (field `id`); `WEBHOOK_INVALID` as for create_webhook.
   * On PostgreSQL: WebhookError `SYNC_NEEDS_SQLITE` — use `async.update_webhook`.
   */
  update_webhook(id: number, patch: WebhookInput): Webhook;

  /**
   * Deletes a webhook; its pending deliveries are cancelled when next due. Fires `wu_webhook_deleted`.
   * @returns true once deleted. @throws WebhookError `WEBHOOK_NOT_FOUND` (field `id`).
   * On PostgreSQL: WebhookError `SYNC_NEEDS_SQLITE` — use `async.delete_webhook`.
   */
  delete_webhook(id: number): boolean;

  /**
   * A page of webhooks and the total matching `q` (all filters optional): `search` (in name, URL
   * or event), `status` 'active' | 'inactive' | 'disabled', `hidden`, `active`, `integration`,
   * `event`; `orderby` a column (default `created_at`; an unknown one falls back to it), `order`
   * 'asc' | 'desc' (default 'desc': newest first), `limit` (default 20), `offset` (default 0).
   * Throws no WebhookError on SQLite.
   * On PostgreSQL: WebhookError `SYNC_NEEDS_SQLITE` — use `async.list_webhooks`.
   */
  list_webhooks(q?: Partial<WebhookListQuery>): { items: Webhook[]; total: number };

  /**
   * Replaces the signing secret with a generated one, or with `secret` when given. The previous
   * one keeps signing (both signatures are sent) and verifying for the rotation grace (24 h),
   * then neither.
   * @returns the webhook with its new `secret`.
   * @throws WebhookError `WEBHOOK_NOT_FOUND` (field `id`); `WEBHOOK_INVALID` (field `secret`) for a
   *   secret that is not `whsec_` + strict base64 of 24–64 bytes (or that base64 without the prefix).
   * On PostgreSQL: WebhookError `SYNC_NEEDS_SQLITE` — use `async.rotate_secret`.
   */
  rotate_secret(id: number, secret?: string): Webhook;

  // ── Deliveries ────────────────────────────────────────────────────────────────────────

  /**
   * A page of deliveries, newest first, and the total matching the filter.
   * @throws WebhookError `INVALID_ARGUMENT` (field `status`, `limit` or `offset`); `WEBHOOK_NOT_FOUND` (field `id`) for an unknown `webhookId`.
   * On PostgreSQL: WebhookError `SYNC_NEEDS_SQLITE` — use `async.list_deliveries`.
   */
  list_deliveries(q?: DeliveryListFilter): { items: Delivery[]; total: number };

  /**
   * One delivery, its body and its attempts. @throws WebhookError `DELIVERY_NOT_FOUND` (field `id`).
   * On PostgreSQL: WebhookError `SYNC_NEEDS_SQLITE` — use `async.get_delivery`.
   */
  get_delivery(id: number): DeliveryDetail;

  /**
   * Sends a finished delivery once more, now, with the same `webhook-id` (receivers deduplicate).
   * @returns the delivery, pending again.
   * @throws WebhookError `DELIVERY_NOT_FOUND` (field `id`); `INVALID_ARGUMENT` (field `id`) while it is pending or for a test delivery;
   *   `WEBHOOK_INACTIVE` (field `id`) when its webhook is inactive, disabled or deleted (the message says which, and what to do).
   * On PostgreSQL: WebhookError `SYNC_NEEDS_SQLITE` — use `async.resend_delivery`.
   */
  resend_delivery(id: number): Delivery;

  /**
   * Requeues every failed or cancelled delivery of a webhook created at or after `since`
   * (epoch ms or a Date), each for one more attempt now.
   * @returns how many were requeued.
   * @throws WebhookError `WEBHOOK_NOT_FOUND` (field `id`); `WEBHOOK_INACTIVE` (field `id`) when the webhook is
   *   inactive or disabled; `INVALID_ARGUMENT` (field `since`).
   * On PostgreSQL: WebhookError `SYNC_NEEDS_SQLITE` — use `async.recover_failed_deliveries`.
   */
  recover_failed_deliveries(webhookId: number, since: number | Date): number;

  /**
   * Posts the event's sample payload, signed and marked `x-hookpress-test: true`, through the
   * same dispatch as real deliveries (SSRF guard, timeouts); records a `test` attempt; never
   * waits behind queued deliveries; leaves the event count alone.
   * A failed send is a result (`ok: false`, with `errorClass`), not an error.
   * @param target a webhook id, or an unsaved `{ url, event, secret? }`.
   * @throws WebhookError (the promise rejects) `WEBHOOK_NOT_FOUND` (field `id`); `WEBHOOK_INVALID` (fields `url`,
   *   `event`) for an unsaved target; `EVENT_UNKNOWN` (field `event`) when a saved webhook's event is no longer
   *   registered; `INVALID_ARGUMENT` (field `target`: neither an id nor an object; field `secret`: not `whsec_` +
   *   strict base64 of 24–64 bytes, nor that base64 without the prefix).
   */
  send_test_event(target: number | TestTarget): Promise<TestResult>;

  /** The webhook and delivery-log methods as promises, on SQLite and PostgreSQL alike (WebhooksAsyncApi). */
  readonly async: WebhooksAsyncApi;
}
