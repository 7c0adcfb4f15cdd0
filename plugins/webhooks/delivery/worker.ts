import type { Logger } from 'pino';
import type { ClaimedDelivery, DeliveriesStore, DeliveryOutcome } from '../data/deliveries-store.js';
import type { SendResult } from './transport.js';

export interface WorkerOptions {
  store: DeliveriesStore;
  /** Sends one claimed delivery (signing included) and returns what happened. */
  attempt: (d: ClaimedDelivery) => Promise<AttemptResult>;
  clock: () => number;
  concurrency: number;
  perEndpoint: number;
  leaseMs: number;
  batchSize: number;
  /** Longest sleep between polls when nothing is due soon. */
  pollMs: number;
  logger: Logger;
}

export interface AttemptResult {
  result: SendResult | null;
  outcome: DeliveryOutcome;
}

/**
 * The delivery worker: claims due deliveries with a lease, sends them with bounded
 * concurrency (global and per endpoint), and records every attempt. Claims are streamed in
 * batches sized by free capacity, so memory stays flat however many deliveries are pending.
 * One worker per DATA_DIR: at start it releases the leases of a previous (dead) process.
 */
export class DeliveryWorker {
  private inflight = 0;
  private readonly perEndpoint = new Map<string, number>();
  private readonly queues = new Map<string, ClaimedDelivery[]>();
  private queued = 0;
  private readonly claimed = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private running = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: WorkerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const released = this.o.store.releaseAllLeases();
    if (released) this.o.logger.info({ released }, 'resuming deliveries leased by a previous process');
    this.wake();
  }

  /** Something became due: poll as soon as the event loop is free (coalesced). */
  wake(): void {
    if (!this.running || this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.idle();
  }

  /**
   * Processes everything that is due now (and what falls due while doing so), then resolves.
   * For tests and tools, with the background loop stopped; `now` comes from the clock.
   */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = this.o.store.claimDue(this.o.clock(), this.o.batchSize, this.o.leaseMs);
      if (batch.length === 0 && this.inflight === 0 && this.queued === 0) return total;
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

  /** Fresh deliveries written already leased to this worker: queue and send them now. */
  take(batch: ClaimedDelivery[]): void {
    this.enqueue(batch);
    this.dispatch();
  }

  get leaseMs(): number {
    return this.o.leaseMs;
  }

  stats(): { inflight: number; queued: number } {
    return { inflight: this.inflight, queued: this.queued };
  }

  private pump(): void {
    if (!this.running) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // Keep about a batch queued beyond what is in flight, never more: claims are streamed.
    const room = this.o.concurrency + this.o.batchSize - this.inflight - this.queued;
    const limit = Math.min(room, this.o.batchSize);
    let claimedNow = 0;
    if (limit > 0) {
      try {
        const batch = this.o.store.claimDue(this.o.clock(), limit, this.o.leaseMs);
        claimedNow = batch.length;
        this.enqueue(batch);
      } catch (error) {
        this.o.logger.error({ err: error }, 'claiming deliveries failed');
      }
    }
    this.dispatch();
    if (limit > 0 && claimedNow === limit) return this.wake();
    if (this.inflight === 0 && this.queued === 0) return this.scheduleNextPoll();
    // Busy: completions wake the pump when the queue runs low; poll anyway as a safety net.
    this.timer = setTimeout(() => this.pump(), this.o.pollMs);
    this.timer.unref();
  }

  private scheduleNextPoll(): void {
    if (!this.running) return;
    const next = this.o.store.nextDueAt();
    const wait = next === null ? this.o.pollMs : Math.min(this.o.pollMs, Math.max(5, next - this.o.clock()));
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), wait);
    this.timer.unref();
  }

  private enqueue(batch: ClaimedDelivery[]): void {
    for (const d of batch) {
      // A lease that ran out while the delivery waited here is re-claimable: never send twice.
      if (this.claimed.has(d.id)) continue;
      this.claimed.add(d.id);
      const key = d.webhook_id === null ? d.url : `w${d.webhook_id}`;
      let q = this.queues.get(key);
      if (!q) this.queues.set(key, (q = []));
      q.push(d);
      this.queued++;
    }
  }

  private dispatch(): void {
    for (const [key, q] of this.queues) {
      if (this.inflight >= this.o.concurrency) return;
      while (q.length && this.inflight < this.o.concurrency && (this.perEndpoint.get(key) ?? 0) < this.o.perEndpoint) {
        const d = q.shift()!;
        this.queued--;
        this.inflight++;
        this.perEndpoint.set(key, (this.perEndpoint.get(key) ?? 0) + 1);
        void this.run(key, d);
      }
      if (q.length === 0) this.queues.delete(key);
    }
  }

  private async run(key: string, d: ClaimedDelivery): Promise<void> {
    try {
      await this.o.attempt(d);
    } catch (error) {
      // The lease expires and the delivery is retried: at-least-once, never lost.
      this.o.logger.error({ err: error, delivery: d.id }, 'delivery attempt crashed');
    } finally {
      this.claimed.delete(d.id);
      this.inflight--;
      const n = (this.perEndpoint.get(key) ?? 1) - 1;
      if (n <= 0) this.perEndpoint.delete(key);
      else this.perEndpoint.set(key, n);
      this.dispatch();
      if (this.running && this.queued < this.o.concurrency) this.wake();
      if (this.inflight === 0 && this.queued === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }
}
