import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { markAnswered } from './answered.js';

/**
 * A unit of work: one HTTP request (or one caller of runInUnitOfWork). Writes a store defers —
 * staged, to be committed together with other callers' in one transaction (group commit) —
 * register their `durable` promise here; the request is answered only once all of them have
 * settled: after the COMMIT, or with a 503 when it failed (see DESIGN-storage.md).
 */
export class UnitOfWork {
  private readonly waits: Array<Promise<unknown>> = [];

  /** Registers a deferred write: the unit is not done before `durable` settles. */
  defer(durable: Promise<unknown>): void {
    // Observed here at once, so a rejection is never "unhandled" while the handler still runs.
    durable.catch(() => {});
    this.waits.push(durable);
  }

  /** How many deferred writes were registered. */
  get deferred(): number {
    return this.waits.length;
  }

  /** Resolves once every deferred write is durable; rejects with the first failure (after all settled). */
  async settle(): Promise<void> {
    while (this.waits.length) {
      const batch = this.waits.splice(0);
      const results = await Promise.allSettled(batch);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }
}

const current = new AsyncLocalStorage<UnitOfWork>();

/** The unit of work of the running request or runInUnitOfWork call, if any. */
export function currentUnitOfWork(): UnitOfWork | undefined {
  return current.getStore();
}

/**
 * Runs `fn` as one independent caller — like one HTTP request — and resolves with its result
 * only once every write it deferred is durable (committed); rejects when a deferred write
 * failed (its transaction rolled back: nothing of it was stored). Nested calls share the
 * outer unit.
 */
export async function runInUnitOfWork<T>(fn: () => T | Promise<T>): Promise<T> {
  const outer = current.getStore();
  if (outer) return fn();
  const unit = new UnitOfWork();
  const result = await current.run(unit, fn);
  await unit.settle();
  return result;
}

/**
 * Express middleware: every request is a unit of work, and its response is held back until
 * the writes it deferred are durable. When one failed, the response becomes a 503 (Retry-After
 * 1) if its headers are not sent yet, otherwise the connection is cut — never a success for
 * an event that was not stored.
 */
export function unitOfWorkMiddleware(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const unit = new UnitOfWork();
    const end = res.end;
    let ending = false;
    res.end = function (this: Response, ...args: unknown[]) {
      if (ending || unit.deferred === 0) return (end as (...a: unknown[]) => Response).apply(this, args);
      ending = true;
      markAnswered(this);
      unit.settle().then(
        () => (end as (...a: unknown[]) => Response).apply(this, args),
        (error: unknown) => {
          logger.warn({ err: error, url: req.originalUrl }, 'a deferred write of this request failed; answered 503');
          if (res.headersSent) return void res.destroy();
          res.statusCode = 503;
          for (const name of res.getHeaderNames()) res.removeHeader(name);
          res.setHeader('Retry-After', '1');
          const json = !req.accepts('html') && req.accepts('json');
          const message = 'The server could not store the events this request fired; please try again.';
          const payload = json ? JSON.stringify({ code: 'storage_unavailable', message, data: { status: 503 } }) : message;
          res.setHeader('Content-Type', json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
          (end as (...a: unknown[]) => Response).call(this, payload);
        },
      );
      return this;
    } as Response['end'];
    current.run(unit, next);
  };
}
