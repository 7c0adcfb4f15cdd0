import type { Db } from '../../../core/plugin-sdk.js';

/** One piece of staged work: its writes, and what to do once they are committed. */
interface Staged<T> {
  write: () => T;
  /** Runs synchronously right after COMMIT (before any waiter resumes): e.g. hand deliveries to the worker. */
  committed?: (result: T) => void;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/** What one staged write of a committed batch came to. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * After a batch's COMMIT: each caller in order gets its own outcome — a write that failed (rolled
 * back alone) rejects; the others run `committed` (a fault in it is ignored: the write is
 * stored, the follow-up reports its own faults), then resolve.
 */
export function settleCommitted<T>(
  batch: ReadonlyArray<{ committed?: (value: T) => void; resolve: (value: T) => void; reject: (error: unknown) => void }>,
  outcomes: ReadonlyArray<Outcome<T>>,
): void {
  batch.forEach((s, i) => {
    const o = outcomes[i]!;
    if (!o.ok) return s.reject(o.error);
    try {
      s.committed?.(o.value);
    } catch {
      // The write is durable whatever a follow-up does; the follow-up reports its own faults.
    }
    s.resolve(o.value);
  });
}

/**
 * Group commit: writes staged by independent callers in one turn of the event loop share one
 * transaction — one COMMIT, one fsync under `synchronous=FULL` — instead of one each. Staged
 * work runs in arrival order, each in its own savepoint: a write that throws (a constraint, a
 * fault in one statement) rolls back alone and fails only its own caller. The COMMIT failing
 * fails every caller of the batch. A caller's promise resolves only after the COMMIT returned:
 * nothing is ever reported durable before it is.
 */
export class GroupCommit {
  private staged: Array<Staged<unknown>> = [];
  private scheduled = false;
  /** Transactions committed so far, and the writes they carried (tests, benches). */
  readonly stats = { commits: 0, writes: 0 };

  /**
   * The batch's transaction and each write's savepoint, made once: better-sqlite3 builds a
   * transaction function's wrappers at every `db.transaction(fn)` call (measured: a tenth of the
   * store's CPU per delivery when made per write); made once, each call only runs it.
   */
  private readonly runBatch: (batch: ReadonlyArray<Staged<unknown>>, outcomes: Array<Outcome<unknown>>) => void;
  private readonly inSavepoint: (write: () => unknown) => unknown;

  constructor(
    private readonly db: Db,
    /** When a batch is flushed: by default the next turn of the event loop (setImmediate). */
    private readonly schedule: (flush: () => void) => void = (flush) => void setImmediate(flush),
  ) {
    // A nested better-sqlite3 transaction is a SAVEPOINT: a write that throws rolls back alone.
    this.inSavepoint = db.transaction((write: () => unknown) => write());
    this.runBatch = db.transaction((batch: ReadonlyArray<Staged<unknown>>, outcomes: Array<Outcome<unknown>>) => {
      for (const s of batch) {
        try {
          outcomes.push({ ok: true, value: this.inSavepoint(s.write) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    });
  }

  /**
   * Stages `write` for the next shared transaction. Resolves with its result once committed;
   * rejects with its own error when it threw (rolled back alone), or with the COMMIT's error.
   */
  add<T>(write: () => T, committed?: (result: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.staged.push({ write, committed, resolve, reject } as Staged<unknown>);
      if (!this.scheduled) {
        this.scheduled = true;
        this.schedule(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  /** How many writes are staged and not yet committed. */
  get pending(): number {
    return this.staged.length;
  }

  /**
   * Commits everything staged now, synchronously (the scheduled flush, a reader that must see
   * staged rows, shutdown). Does nothing when nothing is staged. Never throws: failures go to
   * the callers' promises.
   */
  flush(): void {
    if (this.staged.length === 0) return;
    if (this.db.inTransaction) {
      // Never inside someone else's transaction (it may roll back after we reported durable):
      // the next turn tries again.
      this.schedule(() => this.flush());
      return;
    }
    const batch = this.staged;
    this.staged = [];
    const outcomes: Array<Outcome<unknown>> = [];
    try {
      this.runBatch(batch, outcomes);
    } catch (error) {
      for (const s of batch) s.reject(error);
      return;
    }
    this.stats.commits++;
    this.stats.writes += batch.length;
    settleCommitted(batch, outcomes);
  }
}
