/**
 * What the network admin screens of the webhooks plugin may use: the public API's methods
 * they call, plus the few internal reads and checks the screens need (health charts, log
 * counts, why a delivery cannot be resent, the inspector, the save-time SSRF check). Types
 * only. The screens receive an object of this shape — built in one place, facades.ts — and
 * never the engine (a test keeps admin/ from importing service.ts).
 */
import type { Bucket, HealthStore } from '../data/health-store.js';
import type { InspectorStore } from '../data/inspector-store.js';
import type { LookupFn, parseAllowList } from '../delivery/ssrf-guard.js';
import type { DestinationPolicy } from '../delivery/transport.js';
import type { Inspector } from '../inspector.js';
import type { Webhook, WebhooksApi } from '../api.js';

/** The inspector's store methods the screen calls, each awaited (see MaybePromise). */
type InspectorStoreAdmin = {
  [K in 'inboxes' | 'deleteInbox' | 'deleteExpired' | 'requests' | 'countRequests' | 'request']: Awaitable<InspectorStore[K]>;
};

/**
 * The inspector as the Request Inspector screen and the Add New form use it: the Inspector
 * itself on SQLite; on PostgreSQL its asynchronous paths (facades.ts). Reads and writes are awaited.
 */
export type InspectorAdmin = Pick<Inspector, 'urlOf' | 'check' | 'admits' | 'settings'> & {
  createInbox: Awaitable<Inspector['createInbox']>;
  inbox: Awaitable<Inspector['inbox']>;
  store: InspectorStoreAdmin;
};

/** A value, or a promise of it: synchronous on SQLite, asynchronous on PostgreSQL; screens `await` it either way. */
export type MaybePromise<T> = T | Promise<T>;

/** A method whose result may be a promise (see MaybePromise). */
type Awaitable<F> = F extends (...args: infer A) => infer R ? (...args: A) => MaybePromise<R> : never;

/** WebhooksApi's webhook and delivery methods the screens call, each awaited. */
type AwaitedMethods = {
  [K in
    | 'create_webhook'
    | 'get_webhook'
    | 'update_webhook'
    | 'delete_webhook'
    | 'list_webhooks'
    | 'rotate_secret'
    | 'list_deliveries'
    | 'get_delivery'
    | 'resend_delivery'
    | 'recover_failed_deliveries']: Awaitable<WebhooksApi[K]>;
};

/**
 * The admin screens' internal object (see the module comment). Every method that reads or writes
 * the database may answer a promise — synchronous on SQLite, asynchronous on PostgreSQL (there
 * is no synchronous handle there) — and the screens await each one.
 */
export interface WebhooksAdminApi extends Pick<WebhooksApi, 'wu_get_event_types' | 'wu_get_event_type' | 'send_test_event'>, AwaitedMethods {
  /** One webhook, or undefined when there is none with that id (no error, unlike get_webhook). */
  findWebhook(id: number): MaybePromise<Webhook | undefined>;
  /**
   * Why deliveries of a webhook cannot be sent now — deleted, disabled (and why) or inactive —
   * in words for an admin, with what to do; null when they can.
   */
  whyNotSendable(webhookId: number | null): MaybePromise<string | null>;
  /** CIDRs the SSRF guard admits (environment, configuration and the network option). */
  allowList(): ReturnType<typeof parseAllowList>;
  /** The SSRF policy and DNS lookup deliveries use, for the save-time warning (probeDestination). */
  destinations: { policy: DestinationPolicy; lookup: LookupFn };
  /** Attempts per time bucket and latency percentiles, for the charts (times in ms since the epoch). */
  health: {
    /** HealthStore.buckets (the edit screen's chart). */
    buckets(webhookId: number, since: number, bucketMs: number, count: number): MaybePromise<Bucket[]>;
    /** HealthStore.latency. */
    latency(webhookId: number, since: number): MaybePromise<ReturnType<HealthStore['latency']>>;
    /** HealthStore.bucketsMany (the list screen's sparklines). */
    bucketsMany(webhookIds: number[], since: number, bucketMs: number, count: number): MaybePromise<Map<number, Bucket[]>>;
  };
  /** Counts from the delivery log: per webhook, and one webhook's deliveries and attempts (tests excluded). */
  deliveryLog: {
    countsByWebhook(webhookIds: number[]): MaybePromise<Map<number, number>>;
    totalsOf(webhookId: number): MaybePromise<{ deliveries: number; attempts: number }>;
  };
  inspector: InspectorAdmin;
}
