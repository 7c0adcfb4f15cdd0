import type { Logger } from 'pino';
import { currentUnitOfWork, type Hooks } from '../../../core/plugin-sdk.js';
import type { DeliveriesStore, Enqueued, NewTarget } from '../data/deliveries-store.js';
import type { WebhooksStore } from '../data/webhooks-store.js';
import { WebhookError } from '../errors.js';
import type { EventRegistry, Payload } from '../events/registry.js';
import { newId } from './ids.js';
import type { DeliveryWorker } from './worker.js';

/** The payload key carrying the sender's version (the original sent `wu_version`). */
export const VERSION_KEY = 'hookpress_version';

/** What the outbox needs: the event types, the subscribed webhooks, the store, the worker. */
export interface OutboxDeps {
  events: Pick<EventRegistry, 'get'>;
  webhooks: Pick<WebhooksStore, 'activeFor'>;
  store: Pick<DeliveriesStore, 'enqueueLeased' | 'enqueueLater'>;
  worker: Pick<DeliveryWorker, 'canTake' | 'take' | 'wake' | 'leaseMs'>;
  /** The plugin's database handle: inside a caller's transaction nothing is handed to the worker before commit. */
  db: { readonly inTransaction: boolean };
  hooks: Hooks;
  logger: Logger;
  clock: () => number;
  /** The host's version, sent as `hookpress_version`. */
  version: string;
  /** Attempts a delivery gets: the retry schedule's length. */
  maxAttempts: number;
}

/**
 * The outbox: where an event enters the delivery path (outbox → worker → dispatch). `fire`
 * is `wu_do_event`: it shapes the payload, writes the event and its deliveries in one store
 * call (data/deliveries-store.ts) — at once, or staged for the group commit of a unit of work —
 * and offers them to the worker after commit.
 */
export class Outbox {
  constructor(private readonly o: OutboxDeps) {}

  /**
   * Fires an event: adds `hookpress_version`, applies `wu_event_payload`, writes the snapshot
   * and one delivery per active subscribed webhook in one transaction, then fires `wu_event`
   * (slug, payload) and `wu_event_{slug}` (payload). Called inside the caller's own database
   * transaction, the event commits (or rolls back) with the caller's change. Called by a unit of
   * work (an HTTP request, runInUnitOfWork) outside a transaction, it is staged and committed at
   * the end of this turn of the event loop together with other callers' writes (group commit);
   * the unit finishes (the request is answered) only once it is durable. Otherwise it commits
   * before returning.
   * @returns the event id (`evt_…`), or false — with a logged warning — for an unknown slug.
   * @throws WebhookError `INVALID_ARGUMENT` (field `payload`): not a plain object, or not JSON-serialisable.
   */
  fire(slug: string, payload: Payload): string | false {
    const { o } = this;
    if (!o.events.get(slug)) {
      o.logger.warn({ event: slug }, 'wu_do_event: unknown event type; nothing sent');
      return false;
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new WebhookError('INVALID_ARGUMENT', `The payload of event "${slug}" must be an object.`, 'payload');
    }
    const shaped = this.shape(slug, payload);
    let body: string;
    try {
      body = JSON.stringify(shaped);
    } catch (error) {
      throw new WebhookError('INVALID_ARGUMENT', `The payload of event "${slug}" cannot be sent as JSON: ${(error as Error).message}`, 'payload');
    }
    const now = o.clock();
    const eventId = newId('evt', now);
    const targets = o.webhooks.activeFor(slug).map((w) => ({ webhookId: w.id, url: w.url, msgId: newId('msg', now) }));
    const event = { eventId, event: slug, body, isTest: false, now, maxAttempts: o.maxAttempts, targets };
    const unit = o.db.inTransaction ? undefined : currentUnitOfWork();
    if (unit) {
      // Fired by a unit of work (an HTTP request): staged for the group commit this turn shares
      // with every other caller's writes; the request is answered once it is durable (or 503).
      unit.defer(o.store.enqueueLater({ ...event, lease: (n) => this.directLease(n) }, (written) => this.handOff(event, written)));
    } else {
      // Inside a caller's transaction the rows may still roll back: no hand-off before commit.
      const leaseUntil = o.db.inTransaction ? undefined : this.directLease(targets.length);
      this.handOff(event, o.store.enqueueLeased({ ...event, leaseUntil }));
    }
    o.hooks.do_action('wu_event', slug, shaped);
    o.hooks.do_action(`wu_event_${slug}`, shaped);
    return eventId;
  }

  /**
   * Fast path: a running worker with room takes fresh deliveries as they are committed, leased
   * to it, without a claim query — the lease they are written with; undefined: written due now.
   * The store leases only deliveries whose webhook is under the per-endpoint limit (counted
   * across processes); the others are written due now and claimed as leases end.
   */
  private directLease(n: number): number | undefined {
    return n > 0 && this.o.worker.canTake(n) ? this.o.clock() + this.o.worker.leaseMs : undefined;
  }

  /** After commit: leased rows go to the worker; rows written due now wake it for a claim. */
  private handOff(e: { event: string; body: string; maxAttempts: number; targets: NewTarget[] }, { ids, leaseUntil, leased }: Enqueued): void {
    if (e.targets.length === 0) return;
    if (leaseUntil !== undefined) {
      const taken = e.targets.flatMap((t, i) =>
        leased[i] ? [{ id: ids[i]!, msg_id: t.msgId, webhook_id: t.webhookId, event: e.event, url: t.url, attempts: 0, max_attempts: e.maxAttempts, next_trigger: 'event' as const, is_test: 0, body: e.body, lease_until: leaseUntil }] : [],
      );
      this.o.worker.take(taken);
    }
    if (leased.includes(false)) this.o.worker.wake();
  }

  /**
   * The payload as sent: `hookpress_version` added, then the filter `wu_event_payload`
   * (payload, slug). A filter returning a non-object is logged and ignored.
   */
  shape(slug: string, payload: Payload): Payload {
    const withVersion = { ...payload, [VERSION_KEY]: this.o.version };
    const filtered = this.o.hooks.apply_filters('wu_event_payload', withVersion, slug);
    if (filtered === null || typeof filtered !== 'object' || Array.isArray(filtered)) {
      this.o.logger.error({ event: slug }, 'a wu_event_payload filter returned a non-object; using the unfiltered payload');
      return withVersion;
    }
    return filtered as Payload;
  }
}
