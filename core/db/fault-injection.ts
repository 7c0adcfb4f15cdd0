import Database from 'better-sqlite3';
import type { Db } from './database.js';
import { interceptHandle } from './handle-interceptor.js';

/** The storage faults a test can inject, as better-sqlite3 reports them (`SqliteError.code`). */
export type FaultCode = 'SQLITE_BUSY' | 'SQLITE_FULL' | 'SQLITE_IOERR' | 'SQLITE_CORRUPT';

export const FAULT_CODES: readonly FaultCode[] = ['SQLITE_BUSY', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_CORRUPT'];

const MESSAGES: Record<FaultCode, string> = {
  SQLITE_BUSY: 'database is locked',
  SQLITE_FULL: 'database or disk is full',
  SQLITE_IOERR: 'disk I/O error',
  SQLITE_CORRUPT: 'database disk image is malformed',
};

/** Which calls a plan fails: every call, or only calls that write. */
export type FaultScope = 'all' | 'writes';

interface Plan {
  code: FaultCode;
  scope: FaultScope;
  /** Matching calls to let through before failing. */
  skip: number;
  /** How many matching calls to fail (Infinity: until cleared). */
  times: number;
}

/**
 * Makes database calls fail on demand, as SQLite would: a test arms a plan ("fail the 2nd
 * write with SQLITE_FULL", "fail everything with SQLITE_BUSY until cleared") and every call
 * through a handle wrapped by withFaults() consults it. Counts what it saw and what it failed.
 *
 * It sits at the store-handle boundary (the object stores call prepare/exec/transaction on)
 * so it moves with that boundary when storage becomes asynchronous.
 */
export class FaultInjector {
  /** Database calls seen (statement runs, exec, pragma, transaction starts). */
  calls = 0;
  /** Calls that writes were attempted by (statements that are not readers, exec, transactions). */
  writes = 0;
  /** Calls failed by a plan, in all. */
  faulted = 0;
  /** The last call failed: its code and SQL (a transaction start or exec shows as such). */
  lastFault: { code: FaultCode; sql: string } | null = null;
  private plan: Plan | null = null;

  /** Arms a plan, replacing any other. */
  fail(code: FaultCode, options: { scope?: FaultScope; skip?: number; times?: number } = {}): this {
    this.plan = { code, scope: options.scope ?? 'all', skip: options.skip ?? 0, times: options.times ?? Infinity };
    return this;
  }

  /** Disarms: every call goes through again. */
  clear(): this {
    this.plan = null;
    return this;
  }

  get armed(): boolean {
    return this.plan !== null && this.plan.times > 0;
  }

  /** Called by the wrapper before every database call; throws the planned SqliteError. */
  check(isWrite: boolean, sql = ''): void {
    this.calls++;
    if (isWrite) this.writes++;
    const plan = this.plan;
    if (!plan || plan.times <= 0) return;
    if (plan.scope === 'writes' && !isWrite) return;
    if (plan.skip > 0) {
      plan.skip--;
      return;
    }
    plan.times--;
    this.faulted++;
    this.lastFault = { code: plan.code, sql };
    throw new Database.SqliteError(MESSAGES[plan.code], plan.code);
  }
}

/**
 * The database handle with every call routed through `faults` first. Statements prepared on
 * it are wrapped too, so stores that prepare once in their constructor are covered.
 */
export function withFaults(db: Db, faults: FaultInjector): Db {
  return interceptHandle(db, (isWrite, sql) => faults.check(isWrite, sql), { pragmas: true });
}
