import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction, TransactionBuilder } from 'kysely';

/** A write staged for the end of a transaction: it runs on the transaction, before COMMIT. */
export type StagedWrite = (trx: Transaction<any>) => Promise<unknown> | unknown;

/**
 * The open query-layer transaction of the code running now, seen from synchronous code it calls
 * — a hook fired inside `api.db.transaction().execute(async (trx) => …)`, which cannot await.
 * Such code stages its writes here (`beforeCommit`): they run on the same transaction once the
 * callback has resolved and before COMMIT, so they commit or roll back with the caller's change
 * on any backend (the transactional outbox, on PostgreSQL too). `afterCommit` callbacks run
 * once COMMIT returned (e.g. hand rows to a worker), never after a rollback.
 */
export class TransactionScope {
  private readonly staged: StagedWrite[] = [];
  private readonly committedCallbacks: Array<() => void> = [];
  private ended = false;

  constructor(readonly trx: Transaction<any>) {}

  /**
   * Whether staged writes still reach the transaction: true until its staged writes have run
   * (or it rolled back). Code the transaction's callback left behind — a timer, a promise not
   * awaited — still sees this scope through AsyncLocalStorage; `currentTransactionScope()`
   * returns it only while it is open.
   */
  get open(): boolean {
    return !this.ended;
  }

  /**
   * Stages `write` for this transaction, before its COMMIT; a write that throws rolls it all back.
   * @throws Error when the scope is no longer open (the write would never run).
   */
  beforeCommit(write: StagedWrite): void {
    if (this.ended) throw new Error('beforeCommit: this transaction has ended; its staged writes already ran (or it rolled back).');
    this.staged.push(write);
  }

  /** Runs `fn` right after COMMIT (not after a rollback). An error it throws is passed to `onError` of the scope's runner. */
  afterCommit(fn: () => void): void {
    this.committedCallbacks.push(fn);
  }

  /** Runs the staged writes in order (a write may stage more), then closes the scope to new ones. */
  async flush(): Promise<void> {
    for (let i = 0; i < this.staged.length; i++) await this.staged[i]!(this.trx);
    this.end();
  }

  /** Closes the scope: later beforeCommit calls throw, and currentTransactionScope() no longer returns it. */
  end(): void {
    this.ended = true;
  }

  /** Runs the after-commit callbacks; each error goes to `onError` (the transaction is already durable). */
  committed(onError: (error: unknown) => void): void {
    for (const fn of this.committedCallbacks) {
      try {
        fn();
      } catch (error) {
        onError(error);
      }
    }
  }
}

const scopes = new AsyncLocalStorage<TransactionScope>();

/**
 * The transaction scope of the code running now (inside a scoped transaction's callback, while
 * the transaction is open), or undefined.
 */
export function currentTransactionScope(): TransactionScope | undefined {
  const scope = scopes.getStore();
  return scope?.open ? scope : undefined;
}

/**
 * `db` with every `transaction().execute(cb)` scoped: `cb` runs with a TransactionScope that
 * synchronous code it calls reaches through `currentTransactionScope()`; the scope's staged
 * writes run before COMMIT, its after-commit callbacks after. Everything else is `db` itself
 * (methods bound to it). `onError`: where after-commit errors go (default: rethrown later,
 * as an uncaught error would be).
 */
export function scopedTransactions<DB>(db: Kysely<DB>, onError: (error: unknown) => void = (e) => queueMicrotask(() => { throw e; })): Kysely<DB> {
  const scopedBuilder = (builder: TransactionBuilder<DB>): TransactionBuilder<DB> =>
    new Proxy(builder, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop === 'execute') {
          return async <T>(callback: (trx: Transaction<DB>) => Promise<T>): Promise<T> => {
            let scope: TransactionScope | undefined;
            const result = await target
              .execute(async (trx) => {
                scope = new TransactionScope(trx as Transaction<any>);
                const out = await scopes.run(scope, () => callback(trx));
                await scope.flush();
                return out;
              })
              .finally(() => scope?.end());
            scope!.committed(onError);
            return result;
          };
        }
        if (prop === 'setAccessMode' || prop === 'setIsolationLevel') {
          return (arg: never) => scopedBuilder((value as (a: never) => TransactionBuilder<DB>).call(target, arg));
        }
        return member(target, prop);
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction') return () => scopedBuilder(target.transaction());
      return member(target, prop);
    },
  });
}

/**
 * A member of `target` read through a proxy: methods bound to `target` (Kysely's use private
 * fields, which a proxy as `this` would not have); what a getter returns — `db.fn`, a callable
 * with members of its own — as it is.
 */
function member(target: object, prop: string | symbol): unknown {
  const value = Reflect.get(target, prop, target) as unknown;
  if (typeof value !== 'function') return value;
  for (let o: object | null = target; o; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, prop);
    if (d) return d.get ? value : (value as (...a: unknown[]) => unknown).bind(target);
  }
  return (value as (...a: unknown[]) => unknown).bind(target);
}
