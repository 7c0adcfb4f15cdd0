import type { Logger } from 'pino';
import { currentTransactionScope, currentUnitOfWork, type DialectName, type Hooks, type Kysely, type TransactionScope } from '../../../core/plugin-sdk.js';
import type { DeliveriesStore, Enqueued, NewEvent, NewTarget } from '../data/deliveries-store.js';
import type { WebhooksStore } from '../data/webhooks-store.js';
import { WebhookError } from '../errors.js';
import type { EventRegistry, Payload } from '../events/registry.js';
import { newId } from './ids.js';
import type { DeliveryWorker } from './worker.js';

/** The payload key carrying the sender's version (the original sent `wu_version`). */
export const VERSION_KEY = 'hookpress_version';

/**
 * The event write on the query layer (injected, so the path stays outbox → worker → dispatch):
 * `writeEvent` on a caller's transaction (data/outbox-store.ts's OutboxStore), `enqueueLater`
 * staged for the next group commit (data/event-batches.ts): resolves once committed, after
 * `committed` ran with what was written; the lease is decided (`lease(n)`) when it is written.
 */
export interface EventWriter {
  /** `counts`: the webhooks' event counts are added to it instead of written (see bumpCounts). */
  writeEvent(trx: Kysely<any>, e: NewEvent, counts?: Map<number, number>): Promise<Enqueued>;
  /** Adds `counts` (webhook id → events) to the webhooks' event counts, in webhook id order. */
  bumpCounts(trx: Kysely<any>, counts: ReadonlyMap<number, number>): Promise<void>;
  /** `resolveTargets`: the targets are read on the write's transaction, replacing `targets`. */
  enqueueLater(
    e: Omit<NewEvent, 'leaseUntil'> & { lease: (n: number) => number | undefined; resolveTargets?: TargetResolver },
    committed: (written: Enqueued) => void,
  ): Promise<Enqueued>;
}

/** Reads an event's targets (one per active subscribed webhook, fresh msg ids) on a transaction. */
export type TargetResolver = (trx: Kysely<any>) => Promise<NewTarget[]>;

/** What the outbox needs: the event types, the subscribed webhooks, the stores, the worker. */
export interface OutboxDeps {
  events: Pick<EventRegistry, 'get'>;
  /**
   * The subscribers at enqueue. SQLite: `activeFor` (synchronous). PostgreSQL with
   * `activeForAsync`: read on the write's own transaction when the event is written (there is no
   * synchronous read), so a webhook created or deactivated by any process counts from its commit on.
   */
  webhooks: Pick<WebhooksStore, 'activeFor'> & Partial<Pick<WebhooksStore, 'activeForAsync'>>;
  /** SQLite: the synchronous store (writes at once, or group-committed for a unit of work). Unused on PostgreSQL. */
  store: Pick<DeliveriesStore, 'enqueueLeased' | 'enqueueLater'> | undefined;
  /**
   * The event write on the query layer (`api.db`): staged in a caller's `api.db` transaction on
   * either backend, and every write on PostgreSQL.
   */
  query: EventWriter;
  /** The host's backend: on PostgreSQL there is no synchronous handle, every write goes through `query`. */
  dialect: DialectName;
  worker: Pick<DeliveryWorker, 'canTake' | 'take' | 'wake' | 'heldBack' | 'leaseMs'>;
  /**
   * The synchronous SQLite handle (`{ inTransaction: false }` on PostgreSQL): inside its own
   * synchronous transaction nothing is handed to the worker before commit.
   */
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
 * call — staged in the caller's `api.db` transaction, at once, or staged for the unit of work —
 * and offers them to the worker after commit.
 */
export class Outbox {
  constructor(private readonly o: OutboxDeps) {}

  /**
   * Fires an event: adds `hookpress_version`, applies `wu_event_payload`, writes the snapshot
   * and one delivery per active subscribed webhook in one transaction, then fires `wu_event`
   * (slug, payload) and `wu_event_{slug}` (payload). Where the write goes:
   * - inside an `api.db` transaction (`currentTransactionScope()`): the event commits or rolls
   *   back with the caller's change, and its deliveries are handed to the worker only after
   *   COMMIT. On PostgreSQL the write is staged on that transaction (`beforeCommit`: written
   *   after the callback, before COMMIT; a failed write rolls the transaction back); on SQLite
   *   it is written at once through the synchronous handle, which joins the transaction.
   * - SQLite, inside a synchronous transaction of the handle: written at once in it; the worker
   *   is woken after this call (it claims them once committed).
   * - by a unit of work (an HTTP request, runInUnitOfWork) outside a transaction: on SQLite
   *   staged for the group commit of this turn (data/group-commit.ts); on PostgreSQL for the
   *   query layer's (data/event-batches.ts). Either way the unit finishes (the request is
   *   answered) only once it is durable, or answers 503 when it failed.
   * - otherwise: on SQLite committed before returning; on PostgreSQL it joins the next batch in
   *   the background (a failure is logged) — run such code in runInUnitOfWork to wait for it.
   * @returns the event id (`evt_…`), or false — with a logged warning — for an unknown slug.
   * @throws WebhookError `INVALID_ARGUMENT` (field `payload`): not a plain object, or not JSON-serialisable.
   * @throws Error on SQLite outside a unit of work and a transaction, when the write failed.
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
    const toTargets = (ws: Array<{ id: number; url: string }>) => ws.map((w) => ({ webhookId: w.id, url: w.url, msgId: newId('msg', now) }));
    const lookup = o.dialect === 'postgres' ? o.webhooks.activeForAsync?.bind(o.webhooks) : undefined;
    const resolve: TargetResolver | undefined = lookup && (async (trx) => toTargets(await lookup(slug, trx)));
    const targets = resolve ? [] : toTargets(o.webhooks.activeFor(slug));
    this.write({ eventId, event: slug, body, isTest: false, now, maxAttempts: o.maxAttempts, targets }, resolve);
    o.hooks.do_action('wu_event', slug, shaped);
    o.hooks.do_action(`wu_event_${slug}`, shaped);
    return eventId;
  }

  /**
   * Writes (or stages) the event where `fire` says, and hands its deliveries on after commit.
   * `resolve` (PostgreSQL): the targets are read on the write's transaction instead.
   */
  private write(event: Omit<NewEvent, 'leaseUntil'>, resolve?: TargetResolver): void {
    const { o } = this;
    const n = event.targets.length;
    const scope = currentTransactionScope();
    if (scope && o.dialect === 'postgres') return this.stage(scope, event, resolve);
    if (scope) {
      // SQLite: the synchronous handle joins the caller's api.db transaction (same connection,
      // same async context), so the rows are written at once — the transaction sees them, as it
      // always did — and commit or roll back with it; the worker gets them after COMMIT.
      const written = this.sqlite.enqueueLeased({ ...event, leaseUntil: this.directLease(n) });
      scope.afterCommit(() => this.handOff(event, written));
      return;
    }
    const unit = o.db.inTransaction ? undefined : currentUnitOfWork();
    if (o.dialect === 'postgres') {
      // No synchronous handle: staged for the group commit of the query layer; the unit (if any) waits for it.
      let resolved = event;
      const resolveTargets: TargetResolver | undefined = resolve && (async (trx) => (resolved = { ...event, targets: await resolve(trx) }).targets);
      const durable = o.query.enqueueLater({ ...event, lease: (k) => this.directLease(k), resolveTargets }, (written) => this.afterCommit(resolved, written));
      if (unit) unit.defer(durable);
      else durable.catch((error: unknown) => o.logger.error({ err: error, event: event.event, eventId: event.eventId }, 'wu_do_event: the event could not be stored'));
    } else if (unit) {
      // Fired by a unit of work (an HTTP request): staged for the group commit this turn shares
      // with every other caller's writes; the request is answered once it is durable (or 503).
      unit.defer(this.sqlite.enqueueLater({ ...event, lease: (k) => this.directLease(k) }, (written) => this.handOff(event, written)));
    } else {
      // Inside a synchronous transaction the rows may still roll back: no hand-off before commit.
      const leaseUntil = o.db.inTransaction ? undefined : this.directLease(n);
      this.handOff(event, this.sqlite.enqueueLeased({ ...event, leaseUntil }));
    }
  }

  /**
   * PostgreSQL, inside the caller's api.db transaction: written last in it, before its COMMIT
   * (the lease is decided then, moments before the commit that makes it visible). The event
   * counts of all events the callback fired are bumped once, after their rows, in webhook id
   * order — two transactions firing the same events in another order never deadlock on them.
   */
  private stage(scope: TransactionScope, staged: Omit<NewEvent, 'leaseUntil'>, resolve?: TargetResolver): void {
    const { o } = this;
    let batch = this.scoped.get(scope);
    if (!batch) this.scoped.set(scope, (batch = { counts: new Map(), staged: false, bumped: false }));
    const shared = batch;
    const first = !shared.staged;
    shared.staged = true;
    scope.beforeCommit(async (trx) => {
      const event = resolve ? { ...staged, targets: await resolve(trx) } : staged;
      // An event staged after the counts were bumped (by a staged write) bumps its own.
      const written = await o.query.writeEvent(trx, { ...event, leaseUntil: this.directLease(event.targets.length) }, shared.bumped ? undefined : shared.counts);
      // Staged while the staged writes run: after every event the callback fired.
      if (first) scope.beforeCommit(async (t) => {
        shared.bumped = true;
        await o.query.bumpCounts(t, shared.counts);
      });
      scope.afterCommit(() => this.handOff(event, written));
    });
  }

  /** The synchronous store (SQLite). @throws Error when there is none (a PostgreSQL host reaching a SQLite-only branch: a bug). */
  private get sqlite(): Pick<DeliveriesStore, 'enqueueLeased' | 'enqueueLater'> {
    if (!this.o.store) throw new Error('The outbox has no synchronous store on this backend.');
    return this.o.store;
  }

  /** Per open api.db transaction: the event counts its staged events add up (see stage). */
  private readonly scoped = new WeakMap<TransactionScope, { counts: Map<number, number>; staged: boolean; bumped: boolean }>();

  /** The hand-off once committed: a fault in it is logged, never reported as a failed write (the event is stored). */
  private afterCommit(event: Omit<NewEvent, 'leaseUntil'>, written: Enqueued): void {
    try {
      this.handOff(event, written);
    } catch (error) {
      this.o.logger.error({ err: error, eventId: event.eventId }, 'handing fresh deliveries to the worker failed; they are claimed when their leases run out');
    }
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

  /**
   * After commit: leased rows go to the worker; rows written due now wake it for a claim —
   * unless a lease was offered and they were left only by the per-endpoint limit: a claim now
   * would find their webhook still full, so they wait for its leases to end (heldBack).
   */
  private handOff(e: { event: string; body: string; maxAttempts: number; targets: NewTarget[] }, { ids, leaseUntil, leased, offered }: Enqueued): void {
    if (e.targets.length === 0) return;
    if (leaseUntil !== undefined) {
      const taken = e.targets.flatMap((t, i) =>
        leased[i] ? [{ id: ids[i]!, msg_id: t.msgId, webhook_id: t.webhookId, event: e.event, url: t.url, attempts: 0, max_attempts: e.maxAttempts, next_trigger: 'event' as const, is_test: 0, body: e.body, lease_until: leaseUntil }] : [],
      );
      this.o.worker.take(taken);
    }
    if (!leased.includes(false)) return;
    if (offered) this.o.worker.heldBack();
    else this.o.worker.wake();
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
