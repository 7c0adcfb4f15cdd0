import { sql, type Kysely } from '../../../core/plugin-sdk.js';
import type { Enqueued, NewEvent } from './deliveries-store.js';
import { settleCommitted, type Outcome } from './group-commit.js';
import type { OutboxStore, OutboxTables } from './outbox-store.js';

/**
 * An event to write in the next batch: its lease is decided when it is written (see
 * OutboxStore.writeEvent). `resolveTargets`, when given, replaces `targets` with what it reads
 * on the batch's transaction just before the write (the webhooks subscribed at that moment).
 */
export type BatchedEvent = Omit<NewEvent, 'leaseUntil'> & {
  lease: (n: number) => number | undefined;
  resolveTargets?: (trx: Kysely<any>) => Promise<NewEvent['targets']>;
};

interface Staged {
  event: BatchedEvent;
  committed: (written: Enqueued) => void;
  resolve: (written: Enqueued) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit of event writes on the query layer (PostgreSQL; SQLite's running app has
 * data/group-commit.ts on the synchronous handle): events fired by independent requests are
 * written together in one transaction — one COMMIT (one WAL flush) and one connection for the
 * batch — instead of one transaction each. At most one batch is in flight: events fired while
 * it commits form the next one, so batches grow with the load. Each event of a batch of several
 * is written in its own savepoint: one that fails (a webhook deleted meanwhile) rolls back alone
 * and fails only its own caller. The webhooks' event counts of the whole batch are bumped once,
 * at its end, in webhook id order (two processes' batches never deadlock on them). A failed
 * COMMIT fails every caller of the batch.
 *
 * Measured on a local PostgreSQL 15 (3,000 events of 3 deliveries, 100 fired at a time, one
 * process): one transaction per event 385 events/s and 0.96 client CPU-seconds per 1,000 events
 * (concurrent transactions queue on the webhooks' count rows); one batch per 100 with a
 * savepoint each 643 events/s and 0.58 s.
 */
export class EventBatches {
  private staged: Staged[] = [];
  private inFlight = false;
  private scheduled = false;
  /** Transactions committed so far, and the events they carried (tests, benches). */
  readonly stats = { commits: 0, writes: 0 };

  constructor(
    private readonly db: Kysely<OutboxTables>,
    private readonly store: Pick<OutboxStore, 'writeEvent' | 'bumpCounts'>,
    /** When a batch is written: by default the next turn of the event loop (setImmediate). */
    private readonly schedule: (flush: () => void) => void = (flush) => void setImmediate(flush),
  ) {}

  /**
   * Stages `event` for the next batch. `committed` runs right after the COMMIT with what was
   * written (before the promise resolves; a fault in it is ignored — the event is stored).
   * Resolves with the same once committed; rejects with the event's own error (rolled back
   * alone) or the batch's (nothing of the batch was stored).
   */
  add(event: BatchedEvent, committed: (written: Enqueued) => void): Promise<Enqueued> {
    return new Promise<Enqueued>((resolve, reject) => {
      this.staged.push({ event, committed, resolve, reject });
      this.kick();
    });
  }

  /** How many events are staged and not yet being written. */
  get pending(): number {
    return this.staged.length;
  }

  private kick(): void {
    if (this.inFlight || this.scheduled || this.staged.length === 0) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight || this.staged.length === 0) return;
    this.inFlight = true;
    const batch = this.staged;
    this.staged = [];
    const outcomes: Array<Outcome<Enqueued>> = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        const counts = new Map<number, number>();
        const write = async (s: Staged) => {
          const { resolveTargets, lease, ...event } = s.event;
          const targets = resolveTargets ? await resolveTargets(trx) : event.targets;
          return this.store.writeEvent(trx, { ...event, targets, leaseUntil: lease(targets.length) }, counts);
        };
        if (batch.length === 1) outcomes.push({ ok: true, value: await write(batch[0]!) });
        else {
          for (const s of batch) {
            await sql`SAVEPOINT hp_event`.execute(trx);
            try {
              outcomes.push({ ok: true, value: await write(s) });
            } catch (error) {
              await sql`ROLLBACK TO SAVEPOINT hp_event`.execute(trx);
              outcomes.push({ ok: false, error });
            }
            await sql`RELEASE SAVEPOINT hp_event`.execute(trx);
          }
        }
        await this.store.bumpCounts(trx, counts);
      });
    } catch (error) {
      for (const s of batch) s.reject(error);
      return this.done();
    }
    this.stats.commits++;
    this.stats.writes += batch.length;
    settleCommitted(batch, outcomes);
    this.done();
  }

  private done(): void {
    this.inFlight = false;
    this.kick();
  }
}
