import type Database from 'better-sqlite3';
import type { Db } from './database.js';

/** What an interceptor is told before a database call: whether it may write, and its SQL. */
export type CallCheck = (isWrite: boolean, sql: string) => void;

export interface InterceptOptions {
  /** Whether a prepared statement counts as a write (default: it is not a `reader`). */
  isWrite?: (stmt: Database.Statement) => boolean;
  /** Hand statements that do not write back unwrapped (their calls are not checked at all). */
  writesOnly?: boolean;
  /** Check `pragma()` calls too (a pragma that sets something is a write). */
  pragmas?: boolean;
}

const STATEMENT_CALLS = new Set(['run', 'get', 'all', 'iterate']);
/** Methods of a statement that return the statement itself (builders), to be re-wrapped. */
const STATEMENT_BUILDERS = new Set(['pluck', 'expand', 'raw', 'bind', 'safeIntegers']);

/**
 * The better-sqlite3 handle with `check` called before every database call: statement runs
 * (statements prepared on it are wrapped too, so stores that prepare once in their
 * constructor are covered), `exec`, transaction starts and optionally `pragma`. `check` throws
 * to refuse the call. Used by the fault injector (tests) and the shared-connection guard.
 */
export function interceptHandle(db: Db, check: CallCheck, options: InterceptOptions = {}): Db {
  const isWrite = options.isWrite ?? ((stmt: Database.Statement) => !stmt.reader);
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      switch (prop) {
        case 'prepare':
          return (sql: string) => {
            const stmt = target.prepare(sql);
            const write = isWrite(stmt);
            return options.writesOnly && !write ? stmt : interceptStatement(stmt, write, check);
          };
        case 'exec':
          return (sql: string) => {
            check(true, sql);
            return target.exec(sql);
          };
        case 'pragma':
          if (!options.pragmas) return (value as (...a: unknown[]) => unknown).bind(target);
          return (source: string, pragmaOptions?: Database.PragmaOptions) => {
            // Setting a pragma writes the connection's state; reading it does not.
            check(source.includes('='), `PRAGMA ${source}`);
            return target.pragma(source, pragmaOptions);
          };
        case 'transaction':
          return (fn: (...a: unknown[]) => unknown) => {
            const tx = target.transaction(fn);
            const checked =
              (run: (...a: unknown[]) => unknown) =>
              (...args: unknown[]) => {
                check(true, 'BEGIN');
                return run(...args);
              };
            return Object.assign(checked(tx), {
              deferred: checked(tx.deferred),
              immediate: checked(tx.immediate),
              exclusive: checked(tx.exclusive),
              default: checked(tx.default),
            });
          };
        default:
          return (value as (...a: unknown[]) => unknown).bind(target);
      }
    },
  });
}

function interceptStatement(stmt: Database.Statement, write: boolean, check: CallCheck): Database.Statement {
  // Methods are bound once per statement: the common path is one map lookup.
  const bound = new Map<string | symbol, unknown>();
  const proxy: Database.Statement = new Proxy(stmt, {
    get(target, prop) {
      const cached = bound.get(prop);
      if (cached !== undefined) return cached;
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let fn: unknown;
      if (STATEMENT_CALLS.has(prop)) {
        fn = (...args: unknown[]) => {
          check(write, target.source);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      } else if (STATEMENT_BUILDERS.has(prop)) {
        fn = (...args: unknown[]) => {
          (value as (...a: unknown[]) => unknown).apply(target, args);
          return proxy;
        };
      } else {
        fn = (value as (...a: unknown[]) => unknown).bind(target);
      }
      bound.set(prop, fn);
      return fn;
    },
  });
  return proxy;
}
