import type { FieldError, Kysely, PluginApi } from '../../core/plugin-sdk.js';
import { DeliveriesStore, type Delivery, type DeliveryStatus } from './data/deliveries-store.js';
import { OutboxStore, type OutboxTables } from './data/outbox-store.js';
import { EventBatches } from './data/event-batches.js';
import { WebhooksStore, type WebhookListQuery } from './data/webhooks-store.js';
import { HealthStore } from './data/health-store.js';
import { InspectorStore } from './data/inspector-store.js';
import { Inspector } from './inspector.js';
import { WebhookError, WebhookValidationError } from './errors.js';
import { EventRegistry, type EventType, type EventTypeDefinition, type Payload } from './events/registry.js';
import { literalDestinationRefusal } from './delivery/destination-refusal.js';
import { validateWebhook, type Webhook, type WebhookInput } from './model/webhook.js';
import { Dispatch } from './delivery/dispatch.js';
import { newId } from './delivery/ids.js';
import { Outbox } from './delivery/outbox.js';
import { generateSecret, secretKey } from './delivery/signing.js';
import { blockReason, parseAllowList, systemLookup, type LookupFn } from './delivery/ssrf-guard.js';
import { Transport, type DestinationPolicy } from './delivery/transport.js';
import { DeliveryWorker, type WorkerStore } from './delivery/worker.js';
import { workerOwnerId } from './delivery/ids.js';
import { DeliveryLog } from './data/delivery-log.js';
import { QueryWorkerStore, sqliteWorkerStore } from './data/worker-stores.js';
import type { WebhookSettings } from './settings.js';
import type { DeliveryDetail, DeliveryListFilter, TestResult, TestTarget, WebhooksApi, WebhooksAsyncApi } from './api.js';

export type { DeliveryDetail, TestResult } from './api.js';

/** PostgreSQL: how often each process re-reads the inspector's live inboxes (ms). */
const INBOX_REFRESH_MS = 2_000;

/**
 * Test doubles and policies the engine takes as typed dependencies (tests pass fakes here,
 * through `config.plugins.webhooks.deps`; see readDeps).
 */
export interface WebhooksDeps {
  /** DNS resolution for deliveries (a fake makes a name resolve to any address). */
  lookup?: LookupFn;
  /** Random numbers in [0, 1) for retry jitter. */
  random?: () => number;
  /** Replaces the SSRF policy (tools only; the default is the guard plus the allowlist). */
  isAllowed?: DestinationPolicy;
  /** The delivery worker's owner id, written with its leases (default: host:pid:random, see workerOwnerId). */
  owner?: string;
}

/** Checks the `deps` a host configured, member by member. @throws TypeError naming the bad member. */
export function readDeps(value: unknown): WebhooksDeps {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw new TypeError('Webhooks setting deps must be an object { lookup?, random?, isAllowed?, owner? }.');
  const v = value as Record<string, unknown>;
  for (const name of ['lookup', 'random'] as const) {
    if (v[name] !== undefined && typeof v[name] !== 'function') throw new TypeError(`Webhooks setting deps.${name} must be a function.`);
  }
  const policy = v.isAllowed as Partial<DestinationPolicy> | undefined;
  if (policy !== undefined && (typeof policy?.exempt !== 'function' || typeof policy?.blockReason !== 'function')) {
    throw new TypeError('Webhooks setting deps.isAllowed must have exempt(url) and blockReason(address).');
  }
  if (v.owner !== undefined && (typeof v.owner !== 'string' || v.owner === '')) throw new TypeError('Webhooks setting deps.owner must be a non-empty string.');
  return { lookup: v.lookup as LookupFn | undefined, random: v.random as (() => number) | undefined, isAllowed: policy as DestinationPolicy | undefined, owner: v.owner as string | undefined };
}

/** Webhook as shown outside the service: the secret is never included. */
export type PublicWebhook = Omit<Webhook, 'secret' | 'previous_secret'> & { has_previous_secret: boolean };

export function publicWebhook(w: Webhook): PublicWebhook {
  const { secret: _s, previous_secret, ...rest } = w;
  return { ...rest, has_previous_secret: previous_secret !== null };
}

/**
 * The engine: builds the parts (stores, outbox, worker, dispatch, transport, inspector) and
 * implements WebhooksApi over them — events (register, fire), webhooks (CRUD, secrets),
 * deliveries (log, resend, recover) and test sends; every bad input is a WebhookError with a
 * code and the field at fault. Other plugins never see it: they get facades.ts's publicApi,
 * the admin screens its adminApi; only this plugin's tests, benches and tools reach it (engineOf).
 */
export class WebhooksService implements Omit<WebhooksApi, 'async'> {
  readonly events: EventRegistry;
  readonly webhooks: WebhooksStore;
  /** SQLite: the synchronous outbox store (claims, records, the log's reads). Undefined on PostgreSQL: see outboxStore, log. */
  readonly deliveries: DeliveriesStore | undefined;
  /** The delivery log's reads on the query layer (the asynchronous methods; either backend). */
  readonly log: DeliveryLog;
  /** The worker's claims: DeliveriesStore's on SQLite, the query layer's (LeaseClaims) on PostgreSQL. */
  readonly workerStore: WorkerStore;
  /** The outbox's writes on the query layer (api.db): events fired inside api.db transactions, and every write on PostgreSQL. */
  readonly outboxStore: OutboxStore;
  /** PostgreSQL: events fired by requests outside a transaction, group-committed on the query layer. */
  readonly eventBatches: EventBatches;
  readonly health: HealthStore;
  readonly inspector: Inspector;
  readonly transport: Transport;
  readonly worker: DeliveryWorker;
  readonly outbox: Outbox;
  private readonly clock: () => number;
  /** The SSRF policy and DNS lookup deliveries use; the save-time check (probeDestination) asks the same. */
  readonly destinations: { policy: DestinationPolicy; lookup: LookupFn };

  readonly dispatch: Dispatch;

  constructor(
    private readonly api: PluginApi,
    readonly settings: WebhookSettings,
    deps: WebhooksDeps = {},
  ) {
    this.clock = api.clock;
    // The stores run on api.db; their synchronous methods (today's callers) on the SQLite handle, where there is one.
    const db = api.db as Kysely<any>; // each store types the tables it reads
    // PostgreSQL: no synchronous handle (api.sqlite throws there) — the engine runs on api.db alone.
    const sync = api.dialect === 'sqlite' ? api.sqlite : undefined;
    this.webhooks = new WebhooksStore(db, api.dialect, sync);
    // One worker per process: its store claims, releases and records under its owner id, and
    // keeps the per-endpoint limit across processes (the same number as the connections per origin).
    this.deliveries = sync ? new DeliveriesStore(sync, api.clock, undefined, { owner: deps.owner, perWebhook: settings.perEndpoint }) : undefined;
    const owner = this.deliveries?.owner ?? deps.owner ?? workerOwnerId();
    // The same worker (owner id, limit) on the query layer.
    this.outboxStore = new OutboxStore(api.db as unknown as Kysely<OutboxTables>, api.dialect, owner, settings.perEndpoint);
    this.log = new DeliveryLog(api.db as unknown as Kysely<OutboxTables>);
    this.workerStore = this.deliveries
      ? sqliteWorkerStore(this.deliveries)
      : new QueryWorkerStore(api.db as unknown as ConstructorParameters<typeof QueryWorkerStore>[0], api.dialect, owner, settings.perEndpoint);
    this.eventBatches = new EventBatches(api.db as unknown as Kysely<OutboxTables>, this.outboxStore);
    this.health = new HealthStore(db, api.dialect, sync);
    this.inspector = new Inspector(api, new InspectorStore(db, api.dialect, sync), this.deliveries, this.webhooks, settings.inspector, this.log);
    this.events = new EventRegistry(api.hooks, (slug, payload) => this.outbox.fire(slug, payload), () => api.urls.home_url('').replace(/\/$/, ''));
    const policy: DestinationPolicy = {
      // The one exception to the SSRF guard: this host's own inspector inboxes.
      exempt: (url) => this.inspector.admits(url),
      blockReason: (address) => blockReason(address, this.allowList()),
    };
    this.destinations = { policy: deps.isAllowed ?? policy, lookup: deps.lookup ?? systemLookup };
    this.transport = new Transport({
      connectTimeoutMs: settings.connectTimeoutMs,
      totalTimeoutMs: settings.totalTimeoutMs,
      bodyTimeoutMs: settings.bodyTimeoutMs,
      maxResponseBytes: settings.maxResponseBytes,
      isAllowed: deps.isAllowed ?? policy,
      lookup: deps.lookup,
      connectionsPerOrigin: settings.perEndpoint,
      clock: this.clock,
    });
    this.dispatch = new Dispatch({
      store: this.deliveries ?? this.outboxStore,
      findWebhook: sync ? (id) => this.webhooks.get(id) : (id) => this.webhooks.getAsync(id),
      transport: this.transport,
      hooks: api.hooks,
      logger: api.logger,
      clock: this.clock,
      random: deps.random ?? Math.random,
      schedule: settings.schedule,
      disableAfterMs: settings.disableAfterMs,
      version: api.hostVersion,
      onDisabled: (w, reason) => this.announceDisabled(w, reason),
    });
    this.worker = new DeliveryWorker({
      store: this.workerStore,
      dispatch: (d, signal) => this.dispatch.run(d, { signal }),
      clock: this.clock,
      concurrency: settings.concurrency,
      perEndpoint: settings.perEndpoint,
      leaseMs: settings.leaseMs,
      batchSize: settings.batchSize,
      pollMs: settings.pollMs,
      stopGraceMs: settings.stopGraceMs,
      logger: api.logger,
    });
    this.outbox = new Outbox({
      events: this.events,
      webhooks: this.webhooks,
      store: this.deliveries,
      query: {
        writeEvent: (trx, e, counts) => this.outboxStore.writeEvent(trx, e, counts),
        bumpCounts: (trx, counts) => this.outboxStore.bumpCounts(trx, counts),
        enqueueLater: (e, committed) => this.eventBatches.add(e, committed),
      },
      dialect: api.dialect,
      worker: this.worker,
      db: sync ?? { inTransaction: false },
      hooks: api.hooks,
      logger: api.logger,
      clock: this.clock,
      version: api.hostVersion,
      maxAttempts: settings.schedule.length,
    });
  }

  /**
   * The synchronous outbox store, for the synchronous methods (SQLite).
   * @throws Error on PostgreSQL, naming the asynchronous method to use (WebhooksAsyncApi).
   */
  private get syncLog(): DeliveriesStore {
    if (!this.deliveries) throw new Error('This webhooks method is synchronous and this host runs on PostgreSQL: use its asynchronous twin (WebhooksAsyncApi, the REST API).');
    return this.deliveries;
  }

  /** CIDRs the SSRF guard admits: environment/config plus the network option. */
  allowList(): ReturnType<typeof parseAllowList> {
    const option = this.api.options.get_site_option<string>('webhooks_allow_networks', '');
    try {
      return parseAllowList([this.settings.allowNetworks, typeof option === 'string' ? option : ''].filter(Boolean).join(','));
    } catch (error) {
      this.api.logger.error({ err: error }, 'invalid webhooks_allow_networks option; ignoring it');
      return parseAllowList(this.settings.allowNetworks);
    }
  }

  // ── Events ────────────────────────────────────────────────────────────────────────────

  /** Registers an event type (the original's wu_register_event_type). */
  wu_register_event_type(slug: string, def: EventTypeDefinition, source = 'webhooks'): EventType {
    return this.events.register(slug, def, source);
  }

  register_event_type(slug: string, def: EventTypeDefinition, source = 'webhooks'): EventType {
    return this.events.register(slug, def, source);
  }

  wu_get_event_types(): EventType[] {
    return this.events.all();
  }

  wu_get_event_type(slug: string): EventType | undefined {
    return this.events.get(slug);
  }

  /** `wu_do_event`: the outbox's `fire` (see delivery/outbox.ts and WebhooksApi). */
  wu_do_event(slug: string, payload: Payload): string | false {
    return this.outbox.fire(slug, payload);
  }

  // ── Webhooks ──────────────────────────────────────────────────────────────────────────

  create_webhook(input: WebhookInput): Webhook {
    const webhook = this.webhooks.get(this.webhooks.insert(this.newWebhook(input)))!;
    this.api.hooks.do_action('wu_webhook_created', publicWebhook(webhook));
    return webhook;
  }

  /** The row of a new webhook from `input`. @throws WebhookValidationError (see create_webhook). */
  private newWebhook(input: WebhookInput): Omit<Webhook, 'id'> {
    const valid = validateWebhook(input, (s) => this.events.has(s), false, this.refuseUrl) as Required<ReturnType<typeof validateWebhook>>;
    const now = this.clock();
    return {
      name: valid.name,
      url: valid.url,
      event: valid.event,
      active: valid.active,
      integration: valid.integration,
      hidden: valid.hidden,
      headers: valid.headers,
      disabled_reason: null,
      disabled_at: null,
      secret: valid.secret ?? generateSecret(),
      previous_secret: null,
      previous_secret_expires: null,
      event_count: 0,
      last_status: null,
      last_http_status: null,
      last_delivery_at: null,
      failing_since: null,
      created_at: now,
      updated_at: now,
    };
  }

  /**
   * The save-time half of the SSRF guard, checked with the other fields so one error reports
   * them all: a URL whose host is an IP literal the guard refuses (literalDestinationRefusal).
   * Host names are not resolved here; the connect-time guard stays the authority for them.
   */
  private readonly refuseUrl = (url: string): string | undefined => literalDestinationRefusal(url, this.destinations.policy);

  /**
   * Every problem a create (or, `partial`, an update) would find in `input`, without saving —
   * for REST, which reports them together with its schema's findings. [] when valid.
   */
  webhookProblems(input: WebhookInput, partial: boolean): FieldError[] {
    try {
      validateWebhook(input, (s) => this.events.has(s), partial, this.refuseUrl);
      return [];
    } catch (error) {
      if (error instanceof WebhookValidationError) return error.fieldErrors();
      throw error;
    }
  }

  get_webhook(id: number): Webhook {
    const w = Number.isInteger(id) ? this.webhooks.get(id) : undefined;
    if (!w) throw new WebhookError('WEBHOOK_NOT_FOUND', `There is no webhook with id ${String(id)}.`, 'id');
    return w;
  }

  update_webhook(id: number, patch: WebhookInput): Webhook {
    const current = this.get_webhook(id);
    this.webhooks.update(id, this.changesOf(current, patch));
    const updated = this.get_webhook(id);
    this.api.hooks.do_action('wu_webhook_updated', publicWebhook(updated), publicWebhook(current));
    return updated;
  }

  /** What an update of `current` by `patch` writes. @throws WebhookValidationError (see update_webhook). */
  private changesOf(current: Webhook, patch: WebhookInput): Partial<Webhook> {
    const valid = validateWebhook(patch, (s) => this.events.has(s), true, this.refuseUrl);
    const now = this.clock();
    const changes: Partial<Webhook> = { ...valid, updated_at: now };
    // A new secret given in an update is a rotation: the old one keeps its grace period.
    if (valid.secret !== undefined && valid.secret !== current.secret) {
      Object.assign(changes, { previous_secret: current.secret, previous_secret_expires: now + this.settings.rotationGraceMs });
    }
    // Re-activating a webhook the system disabled gives it a fresh failure window.
    if (valid.active === true && !current.active) Object.assign(changes, { disabled_reason: null, disabled_at: null, failing_since: null });
    return changes;
  }

  delete_webhook(id: number): boolean {
    const w = this.get_webhook(id);
    // Staged deliveries of this webhook are committed first (they would fail its foreign key).
    this.syncLog.commits.flush();
    const deleted = this.webhooks.delete(id);
    if (deleted) this.api.hooks.do_action('wu_webhook_deleted', publicWebhook(w));
    return deleted;
  }

  list_webhooks(q: Partial<WebhookListQuery> = {}): { items: Webhook[]; total: number } {
    return this.webhooks.list({ limit: 20, offset: 0, ...q });
  }

  // ── Asynchronous twins (WebhooksAsyncApi): wrap the synchronous methods on SQLite, run on api.db on PostgreSQL ──

  /** create_webhook on either backend. */
  async createWebhookAsync(input: WebhookInput): Promise<Webhook> {
    if (this.deliveries) return this.create_webhook(input);
    const webhook = (await this.webhooks.getAsync(await this.webhooks.insertAsync(this.newWebhook(input))))!;
    this.api.hooks.do_action('wu_webhook_created', publicWebhook(webhook));
    return webhook;
  }

  /** get_webhook on either backend. */
  async getWebhookAsync(id: number): Promise<Webhook> {
    if (this.deliveries) return this.get_webhook(id);
    const w = Number.isInteger(id) ? await this.webhooks.getAsync(id) : undefined;
    if (!w) throw new WebhookError('WEBHOOK_NOT_FOUND', `There is no webhook with id ${String(id)}.`, 'id');
    return w;
  }

  /** update_webhook on either backend. */
  async updateWebhookAsync(id: number, patch: WebhookInput): Promise<Webhook> {
    if (this.deliveries) return this.update_webhook(id, patch);
    const current = await this.getWebhookAsync(id);
    await this.webhooks.updateAsync(id, this.changesOf(current, patch));
    const updated = await this.getWebhookAsync(id);
    this.api.hooks.do_action('wu_webhook_updated', publicWebhook(updated), publicWebhook(current));
    return updated;
  }

  /** delete_webhook on either backend (its deliveries go with it). */
  async deleteWebhookAsync(id: number): Promise<boolean> {
    if (this.deliveries) return this.delete_webhook(id);
    const w = await this.getWebhookAsync(id);
    const deleted = await this.webhooks.deleteAsync(id);
    if (deleted) this.api.hooks.do_action('wu_webhook_deleted', publicWebhook(w));
    return deleted;
  }

  /** list_webhooks on either backend. */
  async listWebhooksAsync(q: Partial<WebhookListQuery> = {}): Promise<{ items: Webhook[]; total: number }> {
    if (this.deliveries) return this.list_webhooks(q);
    return this.webhooks.listAsync({ limit: 20, offset: 0, ...q });
  }

  /** list_deliveries on either backend. */
  async listDeliveriesAsync(q: DeliveryListFilter = {}): Promise<{ items: Delivery[]; total: number }> {
    if (this.deliveries) return this.list_deliveries(q);
    const query = this.deliveryQuery(q);
    if (q.webhookId !== undefined) await this.getWebhookAsync(q.webhookId);
    return this.log.list(query);
  }

  /** get_delivery on either backend. */
  async getDeliveryAsync(id: number): Promise<DeliveryDetail> {
    if (this.deliveries) return this.get_delivery(id);
    const delivery = Number.isInteger(id) ? await this.log.get(id) : undefined;
    if (!delivery) throw new WebhookError('DELIVERY_NOT_FOUND', `There is no delivery with id ${String(id)}.`, 'id');
    return { delivery, body: (await this.log.body(delivery.event_id)) ?? '', attempts: await this.log.attempts(id) };
  }

  /** The asynchronous API (WebhooksAsyncApi) over this engine: what the REST routes call. */
  asyncApi(): WebhooksAsyncApi {
    return Object.freeze({
      create_webhook: (input: WebhookInput) => this.createWebhookAsync(input),
      get_webhook: (id: number) => this.getWebhookAsync(id),
      update_webhook: (id: number, patch: WebhookInput) => this.updateWebhookAsync(id, patch),
      delete_webhook: (id: number) => this.deleteWebhookAsync(id),
      list_webhooks: (q?: Partial<WebhookListQuery>) => this.listWebhooksAsync(q),
      list_deliveries: (q?: DeliveryListFilter) => this.listDeliveriesAsync(q),
      get_delivery: (id: number) => this.getDeliveryAsync(id),
      rotate_secret: (id: number, secret?: string) => this.rotateSecretAsync(id, secret),
      resend_delivery: (id: number) => this.resendDeliveryAsync(id),
      recover_failed_deliveries: (webhookId: number, since: number | Date) => this.recoverFailedDeliveriesAsync(webhookId, since),
    });
  }

  /**
   * A new secret (generated, or `secret` when given and valid); the previous one keeps signing
   * and verifying for the grace period (both signatures are sent), then neither.
   */
  rotate_secret(id: number, secret?: string): Webhook {
    this.webhooks.update(id, this.rotation(this.get_webhook(id), secret));
    return this.get_webhook(id);
  }

  /** rotate_secret on either backend. */
  async rotateSecretAsync(id: number, secret?: string): Promise<Webhook> {
    if (this.deliveries) return this.rotate_secret(id, secret);
    await this.webhooks.updateAsync(id, this.rotation(await this.getWebhookAsync(id), secret));
    return this.getWebhookAsync(id);
  }

  /** The columns a rotation of `w`'s secret writes. @throws WebhookValidationError (field `secret`). */
  private rotation(w: Webhook, secret: string | undefined): Partial<Webhook> {
    let next = generateSecret();
    if (secret !== undefined) {
      const parsed = secretKey(secret);
      if ('problem' in parsed) throw new WebhookValidationError({ secret: parsed.problem });
      next = secret;
    }
    const now = this.clock();
    return { secret: next, previous_secret: w.secret, previous_secret_expires: now + this.settings.rotationGraceMs, updated_at: now };
  }

  // ── Deliveries ────────────────────────────────────────────────────────────────────────

  list_deliveries(q: DeliveryListFilter = {}): { items: Delivery[]; total: number } {
    const query = this.deliveryQuery(q);
    if (q.webhookId !== undefined) this.get_webhook(q.webhookId);
    return this.syncLog.list(query);
  }

  /** list_deliveries's filter, checked, with its defaults. @throws WebhookError INVALID_ARGUMENT (see list_deliveries). */
  private deliveryQuery(q: DeliveryListFilter): Parameters<DeliveryLog['list']>[0] {
    const statuses = ['pending', 'succeeded', 'failed', 'cancelled'];
    if (q.status !== undefined && !statuses.includes(q.status)) {
      throw new WebhookError('INVALID_ARGUMENT', `status must be one of ${statuses.join(', ')}; got ${JSON.stringify(q.status)}.`, 'status');
    }
    const limit = q.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new WebhookError('INVALID_ARGUMENT', 'limit must be an integer from 1 to 500.', 'limit');
    const offset = q.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) throw new WebhookError('INVALID_ARGUMENT', 'offset must be a non-negative integer.', 'offset');
    return { ...q, status: q.status as DeliveryStatus | undefined, limit, offset };
  }

  get_delivery(id: number): DeliveryDetail {
    const delivery = Number.isInteger(id) ? this.syncLog.get(id) : undefined;
    if (!delivery) throw new WebhookError('DELIVERY_NOT_FOUND', `There is no delivery with id ${String(id)}.`, 'id');
    return { delivery, body: this.syncLog.body(delivery.event_id) ?? '', attempts: this.syncLog.attempts(id) };
  }

  /** Sends a finished delivery once more, now, with the same message id. */
  resend_delivery(id: number): Delivery {
    const { delivery } = this.get_delivery(id);
    this.checkResendable(delivery, this.whyNotSendable(delivery.webhook_id));
    this.syncLog.requeue(id, this.clock());
    this.worker.wake();
    return this.get_delivery(id).delivery;
  }

  /** resend_delivery on either backend. */
  async resendDeliveryAsync(id: number): Promise<Delivery> {
    if (this.deliveries) return this.resend_delivery(id);
    const { delivery } = await this.getDeliveryAsync(id);
    this.checkResendable(delivery, await this.whyNotSendableAsync(delivery.webhook_id));
    await this.log.requeue(id, this.clock());
    this.worker.wake();
    return (await this.getDeliveryAsync(id)).delivery;
  }

  /** @throws WebhookError INVALID_ARGUMENT (pending, or a test) or WEBHOOK_INACTIVE (`why`) when `delivery` cannot be resent. */
  private checkResendable(delivery: Delivery, why: string | null): void {
    if (delivery.status === 'pending') throw new WebhookError('INVALID_ARGUMENT', 'That delivery is still pending; it will be sent on schedule.', 'id');
    if (delivery.is_test) throw new WebhookError('INVALID_ARGUMENT', 'Test deliveries are not resent; send a new test event instead.', 'id');
    // Queuing it anyway would have the worker cancel it at once and overwrite its failure record.
    if (why) throw new WebhookError('WEBHOOK_INACTIVE', `This delivery cannot be sent again: ${why}`, 'id');
  }

  /**
   * Why deliveries of a webhook cannot be sent now — it was deleted, is disabled (and why),
   * or is inactive — with what to do about it; null when they can.
   */
  whyNotSendable(webhookId: number | null): string | null {
    return this.whyNotSendableNow(webhookId === null ? undefined : this.webhooks.get(webhookId));
  }

  /** whyNotSendable on either backend. */
  async whyNotSendableAsync(webhookId: number | null): Promise<string | null> {
    return this.whyNotSendableNow(webhookId === null ? undefined : await this.webhooks.getAsync(webhookId));
  }

  /** whyNotSendable of the webhook as read (undefined: deleted). */
  private whyNotSendableNow(webhook: Webhook | undefined): string | null {
    if (!webhook) return 'its webhook was deleted.';
    if (webhook.active) return null;
    if (webhook.disabled_reason === 'gone') return `the webhook “${webhook.name}” was disabled because its endpoint answered 410 Gone. Fix its URL and activate it, then resend.`;
    if (webhook.disabled_reason) return `the webhook “${webhook.name}” was disabled after failing for days. Check the endpoint, activate the webhook, then resend.`;
    return `the webhook “${webhook.name}” is inactive. Activate it, then resend.`;
  }

  /** Requeues every failed delivery of a webhook created since `since` (ms or Date). Returns how many. */
  recover_failed_deliveries(webhookId: number, since: number | Date): number {
    this.get_webhook(webhookId);
    const n = this.syncLog.requeueFailedSince(webhookId, recoverySince(this.whyNotSendable(webhookId), since), this.clock());
    if (n) this.worker.wake();
    return n;
  }

  /** recover_failed_deliveries on either backend. */
  async recoverFailedDeliveriesAsync(webhookId: number, since: number | Date): Promise<number> {
    if (this.deliveries) return this.recover_failed_deliveries(webhookId, since);
    await this.getWebhookAsync(webhookId);
    const n = await this.log.requeueFailedSince(webhookId, recoverySince(await this.whyNotSendableAsync(webhookId), since), this.clock());
    if (n) this.worker.wake();
    return n;
  }

  /** Deletes attempts, finished deliveries and events older than the retention, in bounded batches. */
  prune(batch = 1000): number {
    return this.syncLog.prune(this.clock() - this.settings.retentionMs, batch);
  }

  /** prune on either backend. */
  async pruneAsync(batch = 1000): Promise<number> {
    if (this.deliveries) return this.prune(batch);
    return this.log.prune(this.clock() - this.settings.retentionMs, batch);
  }

  // ── Test sends ────────────────────────────────────────────────────────────────────────

  /**
   * Posts the event's sample payload, signed and marked as a test, through the same transport
   * and SSRF guard; records a `test` attempt; leaves the event count alone.
   */
  async send_test_event(target: number | TestTarget): Promise<TestResult> {
    let webhook: Webhook | undefined;
    let unsaved: { url: string; secrets: string[] } | undefined;
    let event: string;
    if (typeof target === 'number') {
      webhook = await this.getWebhookAsync(target);
      event = webhook.event;
    } else {
      if (!target || typeof target !== 'object') throw new WebhookError('INVALID_ARGUMENT', 'Pass a webhook id or { url, event }.', 'target');
      const valid = validateWebhook({ name: 'test', url: target.url, event: target.event }, (s) => this.events.has(s));
      let secret = generateSecret();
      if (target.secret !== undefined) {
        const parsed = secretKey(target.secret);
        if ('problem' in parsed) throw new WebhookError('INVALID_ARGUMENT', parsed.problem, 'secret');
        secret = target.secret;
      }
      unsaved = { url: valid.url!, secrets: [secret] };
      event = valid.event!;
    }
    const type = this.events.get(event);
    if (!type) throw new WebhookError('EVENT_UNKNOWN', `“${event}” is not a registered event.`, 'event');
    const now = this.clock();
    const body = JSON.stringify(this.outbox.shape(event, type.sample()));
    const msgId = newId('msg', now);
    const url = unsaved?.url ?? webhook!.url;
    const test = {
      eventId: newId('evt', now),
      event,
      body,
      isTest: true,
      now,
      maxAttempts: 1,
      targets: [{ webhookId: webhook?.id ?? null, url, msgId }],
    };
    const [deliveryId] = this.deliveries ? this.deliveries.enqueue(test) : (await this.outboxStore.enqueue(test)).ids;
    // The same dispatch as every delivery, on its own lane: never queued behind deliveries.
    const { result } = await this.dispatch.run(
      { id: deliveryId!, msg_id: msgId, webhook_id: webhook?.id ?? null, event, url, attempts: 0, max_attempts: 1, next_trigger: 'test', is_test: 1, body, lease_until: Infinity },
      { lane: 'test', target: unsaved },
    );
    const r = result ?? { ok: false, status: null, body: null, durationMs: 0, errorClass: 'internal' as const, errorMessage: 'The test event was not sent.' };
    return {
      ok: r.ok,
      status: r.status,
      durationMs: r.durationMs,
      responseExcerpt: r.body === null ? null : r.body.slice(0, 500),
      errorClass: r.errorClass,
      errorMessage: r.errorMessage,
      deliveryId: deliveryId!,
      msgId,
    };
  }

  private announceDisabled(w: Webhook, reason: 'gone' | 'failing'): void {
    // Zapier (and the like) answer 410 once a Zap's subscription is gone: a webhook an
    // integration created is then deleted, not left disabled for an admin to clean up.
    if (reason === 'gone' && w.integration !== 'manual') {
      this.api.logger.warn({ webhook: w.id, integration: w.integration }, 'webhook deleted: its integration endpoint answered 410 Gone');
      // PostgreSQL: deleted in the background (no synchronous handle); a failure is logged.
      if (this.deliveries) this.delete_webhook(w.id);
      else void this.deleteWebhookAsync(w.id).catch((error: unknown) => this.api.logger.error({ err: error, webhook: w.id }, 'deleting a webhook whose integration unsubscribed failed'));
      this.api.notices.add_notice('info', `The webhook “${w.name}” (created by ${w.integration}) was deleted because its endpoint answered 410 Gone: the integration unsubscribed.`, {
        id: `webhook-deleted-${w.id}`,
      });
      return;
    }
    const why =
      reason === 'gone'
        ? 'its endpoint answered 410 Gone'
        : `its deliveries have failed continuously for ${Math.round(this.settings.disableAfterMs / 3_600_000)} hours`;
    this.api.logger.warn({ webhook: w.id, reason }, 'webhook disabled');
    this.api.notices.add_notice('error', `The webhook “${w.name}” was disabled because ${why}. Fix the endpoint, then activate it again.`, {
      id: `webhook-disabled-${w.id}`,
      link: { href: this.api.urls.admin_page_url('webhooks-deliveries', { webhook_id: w.id, status: 'failed' }), label: 'See its failed deliveries' },
    });
    this.api.hooks.do_action('wu_webhook_disabled', publicWebhook(w), reason);
  }

  private pruneTimer: NodeJS.Timeout | undefined;

  /**
   * Starts the background delivery loop and hourly pruning of the log; on PostgreSQL also the
   * refresh of the inspector's live inboxes every `INBOX_REFRESH_MS` (inboxes another process
   * made are admitted by this process's SSRF exception from then on).
   */
  start(): void {
    if (this.deliveries) {
      // SQLite: what a killed process on this machine had in flight is due again at once
      // (its leases would otherwise wait WEBHOOKS_LEASE_MS); a live process's are never touched.
      try {
        const released = this.deliveries.releaseDeadOwners(this.clock());
        if (released) this.api.logger.info({ released }, 'resuming deliveries leased by a process that is gone');
      } catch (error) {
        // Nothing is lost: those leases run out by themselves.
        this.api.logger.error({ err: error }, 'handing back the leases of a process that is gone failed; they will run out');
      }
    }
    this.worker.start();
    this.startPruning();
    if (!this.deliveries) {
      const refresh = () => void this.inspector.refreshInboxes().catch((error: unknown) => this.api.logger.error({ err: error }, 'reading the inspector inboxes failed'));
      refresh();
      this.inboxTimer = setInterval(refresh, INBOX_REFRESH_MS);
      this.inboxTimer.unref();
    }
  }

  private inboxTimer: NodeJS.Timeout | undefined;

  /** Prunes the log every `everyMs` in the background (bounded batches until nothing is left). */
  startPruning(everyMs = 60 * 60 * 1000): void {
    let running = false;
    this.pruneTimer = setInterval(() => {
      if (running) return;
      running = true;
      void (async () => {
        while ((await this.pruneAsync()) > 0) {
          /* keep going in bounded batches */
        }
      })()
        .catch((error: unknown) => this.api.logger.error({ err: error }, 'pruning the delivery log failed'))
        .finally(() => (running = false));
    }, everyMs);
    this.pruneTimer.unref();
  }

  /** Stops the worker (in-flight requests get the stop grace, then are aborted) and closes the pools. */
  async close(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    if (this.inboxTimer) clearInterval(this.inboxTimer);
    this.deliveries?.commits.flush();
    await this.worker.stop();
    await this.transport.close();
  }
}

/**
 * recover_failed_deliveries's checks: the webhook can be sent to (`why` is null) and `since` is
 * a time. Returns `since` in ms. @throws WebhookError WEBHOOK_INACTIVE (field `id`), INVALID_ARGUMENT (field `since`).
 */
function recoverySince(why: string | null, since: number | Date): number {
  if (why) throw new WebhookError('WEBHOOK_INACTIVE', `No delivery was queued: ${why}`, 'id');
  const at = since instanceof Date ? since.getTime() : since;
  if (typeof at !== 'number' || !Number.isFinite(at)) throw new WebhookError('INVALID_ARGUMENT', 'since must be a date or a time in milliseconds.', 'since');
  return at;
}
