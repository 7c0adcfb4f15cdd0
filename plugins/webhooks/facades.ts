/**
 * The objects the engine (WebhooksService) is seen through, built here and nowhere else:
 * the public WebhooksApi other plugins get, and the admin screens' WebhooksAdminApi. Each is a
 * frozen object of bound methods: no store, worker or transport reachable through it.
 */
import type { WebhooksAdminApi } from './admin/admin-api.js';
import type { WebhooksApi, WebhooksAsyncApi } from './api.js';
import { WebhookError } from './errors.js';
import type { WebhooksService } from './service.js';

/** The engine behind each public API object (for this plugin's own tests and tools only). */
const engines = new WeakMap<WebhooksApi, WebhooksService>();

/**
 * The narrow API other plugins get: exactly the WebhooksApi methods. Its synchronous webhook and
 * delivery-log methods need the SQLite handle: on PostgreSQL each throws `SYNC_NEEDS_SQLITE`.
 */
export function publicApi(service: WebhooksService): WebhooksApi {
  /** The engine, for a synchronous method. @throws WebhookError SYNC_NEEDS_SQLITE on PostgreSQL, naming `webhooks.async.<method>`. */
  const sync = (method: keyof WebhooksAsyncApi): WebhooksService => {
    if (service.deliveries) return service;
    throw new WebhookError(
      'SYNC_NEEDS_SQLITE',
      `WebhooksApi.${method} is synchronous and needs SQLite, but this host runs on PostgreSQL: use \`await webhooks.async.${method}(…)\`, which works on both backends.`,
    );
  };
  const api: WebhooksApi = {
    wu_register_event_type: (slug, def) => service.wu_register_event_type(slug, def, def?.source ?? 'unknown'),
    wu_get_event_types: () => service.wu_get_event_types(),
    wu_get_event_type: (slug) => service.wu_get_event_type(slug),
    wu_do_event: (slug, payload) => service.outbox.fire(slug, payload),
    create_webhook: (input) => sync('create_webhook').create_webhook(input),
    get_webhook: (id) => sync('get_webhook').get_webhook(id),
    update_webhook: (id, patch) => sync('update_webhook').update_webhook(id, patch),
    delete_webhook: (id) => sync('delete_webhook').delete_webhook(id),
    list_webhooks: (q) => sync('list_webhooks').list_webhooks(q),
    rotate_secret: (id, secret) => sync('rotate_secret').rotate_secret(id, secret),
    list_deliveries: (q) => sync('list_deliveries').list_deliveries(q),
    get_delivery: (id) => sync('get_delivery').get_delivery(id),
    resend_delivery: (id) => sync('resend_delivery').resend_delivery(id),
    recover_failed_deliveries: (webhookId, since) => sync('recover_failed_deliveries').recover_failed_deliveries(webhookId, since),
    send_test_event: (target) => service.send_test_event(target),
    async: service.asyncApi(),
  };
  engines.set(Object.freeze(api), service);
  return api;
}

/**
 * The admin screens' object: the public API's methods but registering and firing events,
 * plus the screens' internal reads. `provided` is this engine's publicApi.
 */
export function adminApi(service: WebhooksService, provided: WebhooksApi): WebhooksAdminApi {
  const { wu_register_event_type: _register, wu_do_event: _fire, async: _async, ...methods } = provided;
  const { health, deliveries, log } = service;
  // PostgreSQL (no synchronous log): the screens' reads run on the query layer and are awaited.
  const sync = deliveries !== undefined;
  return Object.freeze({
    ...methods,
    ...(sync ? {} : asyncMethods(service)),
    findWebhook: (id) => (sync ? service.webhooks.get(id) : service.webhooks.getAsync(id)),
    whyNotSendable: (webhookId) => (sync ? service.whyNotSendable(webhookId) : service.whyNotSendableAsync(webhookId)),
    allowList: () => service.allowList(),
    destinations: service.destinations,
    health: {
      buckets: (webhookId, since, bucketMs, count) => (sync ? health.buckets(webhookId, since, bucketMs, count) : health.bucketsAsync(webhookId, since, bucketMs, count)),
      bucketsMany: (webhookIds, since, bucketMs, count) =>
        sync ? health.bucketsMany(webhookIds, since, bucketMs, count) : health.bucketsManyAsync(webhookIds, since, bucketMs, count),
      latency: (webhookId, since) => (sync ? health.latency(webhookId, since) : health.latencyAsync(webhookId, since)),
    },
    deliveryLog: {
      countsByWebhook: (ids) => (deliveries ? deliveries.countsByWebhook(ids) : log.countsByWebhook(ids)),
      totalsOf: (webhookId) => (deliveries ? deliveries.totalsOf(webhookId) : log.totalsOf(webhookId)),
    },
    inspector: sync ? service.inspector : inspectorOnQueryLayer(service),
  } satisfies WebhooksAdminApi);
}

/** PostgreSQL: the inspector's screen methods on its asynchronous paths. */
function inspectorOnQueryLayer(service: WebhooksService): WebhooksAdminApi['inspector'] {
  const inspector = service.inspector;
  const { store } = inspector;
  return {
    settings: inspector.settings,
    urlOf: (token) => inspector.urlOf(token),
    admits: (url) => inspector.admits(url),
    check: (req) => inspector.check(req),
    createInbox: (userId) => inspector.createInboxAsync(userId),
    inbox: (token) => inspector.inboxAsync(token),
    store: {
      inboxes: () => store.inboxesAsync(),
      deleteInbox: (token) => inspector.deleteInboxAsync(token),
      deleteExpired: (now) => store.deleteExpiredAsync(now),
      requests: (token, limit, offset) => store.requestsAsync(token, limit, offset),
      countRequests: (token) => store.countRequestsAsync(token),
      request: (token, id) => store.requestAsync(token, id),
    },
  };
}

/** PostgreSQL: the screens' webhook and delivery methods on the engine's asynchronous paths (WebhooksAsyncApi). */
function asyncMethods(service: WebhooksService): Pick<WebhooksAdminApi, keyof WebhooksAsyncApi> {
  return service.asyncApi();
}

/** The engine behind a provided WebhooksApi — for this plugin's tests, benches and tools, never for other plugins. */
export function engineOf(api: WebhooksApi | undefined): WebhooksService | undefined {
  return api ? engines.get(api) : undefined;
}
