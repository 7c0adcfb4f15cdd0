import { AsyncResource } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { ClaimedDelivery } from '../data/deliveries-store.js';

/**
 * What the worker needs of the outbox store: claims and releases under this worker's owner id,
 * never another worker's leases. Asynchronous, so either backend serves it: on SQLite the
 * synchronous DeliveriesStore (data/deliveries-store.ts) wrapped in promises, on PostgreSQL the
 * query layer's claim (data/lease-claims.ts); the service builds the one its backend needs.
 */
export interface WorkerStore {
  /** Due deliveries leased to this worker (with their bodies), within the per-endpoint limit held in the database. */
  claimDue(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /** Hands back this worker's leases on `ids` (due again at `now`, ms); resolves with how many. */
  releaseLeases(ids: readonly number[], now: number): Promise<number>;
  /** The earliest due time (ms); with `now`, the earliest after it. Null: nothing pending. */
  nextDueAt(now?: number): Promise<number | null>;
}

export interface WorkerOptions {
  store: WorkerStore;
  /** Dispatches one delivery (prepare → send → decide → record). Expected never to throw. */
  dispatch: (d: ClaimedDelivery, signal: AbortSignal) => Promise<unknown>;
  clock: () => number;
  /** Requests in flight in all. */
  concurrency: number;
  /** Requests in flight per receiving origin — the keep-alive connections it has. */
  perEndpoint: number;
  leaseMs: number;
  batchSize: number;
  /** Longest sleep between polls when nothing is due soon (ms). */
  pollMs: number;
  /** On stop, how long requests in flight may finish before they are aborted (ms). */
  stopGraceMs: number;
  logger: Logger;
}

/** The queue a delivery waits in: its receiving origin (scheme, host, port). */
export function endpointKey(d: Pick<ClaimedDelivery, 'url' | 'webhook_id'>): string {
  try {
    return new URL(d.url).origin;
  } catch {
    return `w${d.webhook_id ?? d.url}`;
  }
}

/**
 * The delivery worker: claims due deliveries with a lease and dispatches them with bounded
 * concurrency. Each receiving origin queues on its own and holds at most `perEndpoint` of the
 * `concurrency` slots — as many as it has connections — so one slow or hanging receiver never
 * holds the slots other endpoints need. Claims are streamed in batches sized by free capacity,
 * so memory stays flat however many deliveries are pending. A delivery whose lease has run
 * out while it waited is dropped, never sent (another claim owns it).
 *
 * Several workers (processes) may share one database: each claims under its own owner id and
 * never releases another's leases — a dead process's leases run out and are claimed like any
 * due delivery (so a restart re-sends what was in flight only once its lease has ended). The
 * per-webhook limit is kept by the claim in the database; a claim that came back short
 * because of it makes completions claim again (they free leases) instead of waiting for a poll.
 */
export class DeliveryWorker {
  private inflight = 0;
  private readonly perEndpoint = new Map<string, number>();
  private readonly queues = new Map<string, ClaimedDelivery[]>();
  private queued = 0;
  private readonly claimed = new Map<number, ClaimedDelivery>();
  private readonly controllers = new Set<AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  /** The claim round running (pumpOnce), if any; `repump`: another was asked for meanwhile. */
  private pumping: Promise<void> | undefined;
  private repump = false;
  /**
   * Whether due rows may be waiting beyond what the last claim took: `more` — it filled its
   * limit, or something became due since (claim at the next completion); `held` — rows were
   * left only because their webhook is at its per-endpoint limit (claim once completions freed
   * a few leases, see `refillAfter`); `none`.
   */
  private backlog: 'none' | 'held' | 'more' = 'more';
  /** Completions since the last claim round began (each freed a lease). */
  private freed = 0;
  private running = false;
  private stopping = false;
  private idleWaiters: Array<() => void> = [];

  /**
   * `pump` in the worker's own async context (the one it was made in). A wake comes from
   * whoever made something due — often code inside a caller's open transaction, whose async
   * context (a transaction scope; on SQLite the shared connection's guard) the claims and
   * records must never inherit: they are the worker's, committed on their own.
   */
  private readonly pumpInOwnContext: () => void;

  constructor(private readonly o: WorkerOptions) {
    this.pumpInOwnContext = AsyncResource.bind(() => this.pump());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.wake();
  }

  /** Something became due: poll as soon as the event loop is free (coalesced). */
  wake(): void {
    this.backlog = 'more';
    this.schedulePump();
  }

  /**
   * Rows were written due now only because their webhook is at its per-endpoint limit: they
   * are claimed as leases of that webhook end (completions here, a poll for other processes'),
   * not by a claim now — which would find the webhook still full.
   */
  heldBack(): void {
    if (this.backlog === 'none') this.backlog = 'held';
  }

  /**
   * How many completions free enough leases for a claim while rows are held back by the
   * per-endpoint limit: a quarter of the limit, so claims take a few rows each instead of one
   * per completion (measured: a claim per completion was a fifth of the CPU with one webhook's
   * backlog); the endpoint's concurrency dips by at most as much.
   */
  private get refillAfter(): number {
    return Math.max(1, Math.floor(this.o.perEndpoint / 4));
  }

  private schedulePump(): void {
    if (!this.running || this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pumpInOwnContext();
    });
  }

  /**
   * Stops: nothing new starts (queued deliveries are handed back, due now); requests in flight
   * get `graceMs` to finish, then are aborted — recorded as failed attempts and retried later.
   * Resolves when every attempt in flight is recorded.
   */
  async stop(graceMs = this.o.stopGraceMs): Promise<void> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A claim round still running hands back what it claims (it sees the worker stopped): wait
    // for it, so nothing is left leased to a worker that is gone once the database closes.
    await this.pumping;
    const handedBack: number[] = [];
    for (const q of this.queues.values()) for (const d of q) handedBack.push(d.id);
    for (const id of handedBack) this.claimed.delete(id);
    this.queues.clear();
    this.queued = 0;
    if (handedBack.length) {
      try {
        await this.o.store.releaseLeases(handedBack, this.o.clock());
      } catch (error) {
        this.o.logger.error({ err: error }, 'handing back queued deliveries failed; their leases will run out');
      }
    }
    if (this.inflight === 0) return this.settle();
    let grace: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'grace'>((resolve) => (grace = setTimeout(() => resolve('grace'), graceMs)));
    const first = await Promise.race([this.idle().then(() => 'idle' as const), timedOut]);
    clearTimeout(grace);
    if (first === 'grace') {
      this.o.logger.warn({ inflight: this.inflight, graceMs }, 'aborting deliveries still in flight at shutdown');
      for (const c of this.controllers) c.abort(new Error('shutdown'));
      await this.idle();
    }
  }

  /**
   * Processes everything that is due now (and what falls due while doing so), then resolves
   * with how many deliveries it claimed itself. For tests and tools, usually with the background
   * loop stopped; with it running, a claim round of the loop under way is waited for and what it
   * took is sent before this resolves. `now` comes from the clock.
   */
  async drain(): Promise<number> {
    this.stopping = false;
    let total = 0;
    for (;;) {
      // A claim round of the running loop first: what it claims is queued once it ends. Else this
      // claim could come back empty while that one still runs (on PostgreSQL it skips the rows
      // that round has locked) and the drain end before those deliveries are sent.
      await this.pumping;
      const batch = await this.o.store.claimDue(this.o.clock(), this.o.batchSize, this.o.leaseMs);
      if (batch.length === 0 && this.inflight === 0 && this.queued === 0 && !this.pumping) return total;
      total += batch.length;
      this.enqueue(batch);
      this.dispatch();
      await this.idle();
    }
  }

  /** Resolves when nothing is in flight or queued. */
  idle(): Promise<void> {
    if (this.inflight === 0 && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Whether the running worker can take `n` fresh deliveries straight from the enqueue (no
   * claim query). Bounded like claims, so memory stays flat under a burst.
   */
  canTake(n: number): boolean {
    return this.running && this.queued + n <= this.o.batchSize;
  }

  /** Fresh deliveries, committed already leased to this worker: queue and send them now. */
  take(batch: ClaimedDelivery[]): void {
    if (!this.running) return;
    this.enqueue(batch);
    this.dispatch();
  }

  get leaseMs(): number {
    return this.o.leaseMs;
  }

  stats(): { inflight: number; queued: number } {
    return { inflight: this.inflight, queued: this.queued };
  }

  /**
   * One claim round. Claims are asynchronous: one round at a time — a wake or completion that
   * asks for a round while one runs makes it run once more when this one ends.
   */
  private pump(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.repump = true;
      return;
    }
    this.pumping = this.pumpOnce().finally(() => {
      this.pumping = undefined;
      if (this.repump) {
        this.repump = false;
        this.schedulePump();
      }
    });
  }

  private async pumpOnce(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // Keep about a batch queued beyond what is in flight, never more: claims are streamed.
    const room = this.o.concurrency + this.o.batchSize - this.inflight - this.queued;
    const limit = Math.min(room, this.o.batchSize);
    let claimedNow = 0;
    this.freed = 0;
    if (limit > 0) {
      try {
        const now = this.o.clock();
        const batch = await this.o.store.claimDue(now, limit, this.o.leaseMs);
        claimedNow = batch.length;
        if (!this.running) {
          // Stopped while the claim ran: hand the batch back at once.
          if (batch.length) await this.o.store.releaseLeases(batch.map((d) => d.id), this.o.clock()).catch(() => 0);
          return;
        }
        // A claim short of its limit took everything it could: completions need not claim again
        // until something becomes due (wake, a retry due now) or the poll timer runs — unless due
        // rows were left because their webhook is at its limit: a completion frees a lease.
        this.backlog = claimedNow === limit ? 'more' : (await this.dueLeft(now)) ? 'held' : 'none';
        this.enqueue(batch);
      } catch (error) {
        this.o.logger.error({ err: error }, 'claiming deliveries failed');
      }
    }
    if (!this.running) return;
    this.dispatch();
    if (limit > 0 && claimedNow === limit) return this.schedulePump();
    if (this.inflight === 0 && this.queued === 0) return this.scheduleNextPoll();
    // Busy: completions wake the pump when the queue runs low; poll anyway as a safety net.
    this.setTimer(this.o.pollMs);
  }

  private setTimer(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(this.pumpInOwnContext, ms);
    this.timer.unref();
  }

  /** Whether due deliveries are waiting after a claim: held back by the per-endpoint limit. */
  private async dueLeft(now: number): Promise<boolean> {
    try {
      const next = await this.o.store.nextDueAt();
      return next !== null && next <= now;
    } catch {
      return true;
    }
  }

  private async scheduleNextPoll(): Promise<void> {
    if (!this.running) return;
    let next: number | null = null;
    try {
      // The next time something falls due. Rows due already were left by the last claim: held
      // back by leases of other processes (ours are all done), which end by a poll at the latest.
      next = await this.o.store.nextDueAt(this.o.clock());
    } catch (error) {
      this.o.logger.error({ err: error }, 'reading the next due time failed');
    }
    if (!this.running) return;
    const wait = next === null ? this.o.pollMs : Math.min(this.o.pollMs, Math.max(5, next - this.o.clock()));
    this.setTimer(wait);
  }

  private enqueue(batch: ClaimedDelivery[]): void {
    for (const d of batch) {
      const known = this.claimed.get(d.id);
      if (known) {
        // Claimed again after its lease ran out while it waited here: one copy, the new lease.
        known.lease_until = Math.max(known.lease_until, d.lease_until);
        continue;
      }
      this.claimed.set(d.id, d);
      const key = endpointKey(d);
      let q = this.queues.get(key);
      if (!q) this.queues.set(key, (q = []));
      q.push(d);
      this.queued++;
    }
  }

  private dispatch(): void {
    if (this.stopping) return;
    for (const [key, q] of this.queues) {
      if (this.inflight >= this.o.concurrency) return;
      while (q.length && this.inflight < this.o.concurrency && (this.perEndpoint.get(key) ?? 0) < this.o.perEndpoint) {
        const d = q.shift()!;
        this.queued--;
        if (d.lease_until <= this.o.clock()) {
          // Its lease ran out while it waited: a claim (here or in another process) may own it now.
          this.claimed.delete(d.id);
          continue;
        }
        this.inflight++;
        this.perEndpoint.set(key, (this.perEndpoint.get(key) ?? 0) + 1);
        void this.run(key, d);
      }
      if (q.length === 0) this.queues.delete(key);
    }
    this.notifyIdle();
  }

  private async run(key: string, d: ClaimedDelivery): Promise<void> {
    const controller = new AbortController();
    this.controllers.add(controller);
    try {
      const done = (await this.o.dispatch(d, controller.signal)) as { outcome?: { status?: string; nextAttemptAt?: number | null } } | undefined;
      // A retry due at once (a zero delay in the schedule) is claimed at once, not at the next poll.
      const next = done?.outcome?.status === 'pending' ? done.outcome.nextAttemptAt : null;
      if (typeof next === 'number' && next <= this.o.clock()) this.backlog = 'more';
    } catch (error) {
      // Dispatch records its own faults; this is a last resort. The lease runs out and the
      // delivery is retried: at-least-once, never lost, and the worker keeps running.
      this.o.logger.error({ err: error, delivery: d.id }, 'delivery dispatch failed');
    } finally {
      this.controllers.delete(controller);
      this.claimed.delete(d.id);
      this.inflight--;
      const n = (this.perEndpoint.get(key) ?? 1) - 1;
      if (n <= 0) this.perEndpoint.delete(key);
      else this.perEndpoint.set(key, n);
      this.dispatch();
      this.freed++;
      if (this.running && this.queued < this.o.concurrency && this.wantsClaim()) this.schedulePump();
      this.notifyIdle();
    }
  }

  /** After a completion: whether to claim now (see `backlog`). */
  private wantsClaim(): boolean {
    if (this.backlog === 'more') return true;
    if (this.backlog === 'none') return false;
    return this.freed >= this.refillAfter || (this.inflight === 0 && this.queued === 0);
  }

  private notifyIdle(): void {
    if (this.inflight !== 0 || this.queued !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private settle(): Promise<void> {
    this.notifyIdle();
    return Promise.resolve();
  }
}
