import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { markAnswered } from '../http/answered.js';

/**
 * Express middleware, right after express-session: a response that changed the session (a
 * one-shot notice added before a redirect, a login) is answered only once the session is
 * stored. express-session itself writes the response's status, headers and all but the last
 * byte of its body before its store has saved the session (its `writetop`), so a browser
 * follows a 303 with the old session and the notice is lost — seen on PostgreSQL, where the
 * save takes a network round trip ("Application password revoked." never shown). Unchanged
 * sessions (and destroyed ones) pass through as before. A save that fails is logged and the
 * response goes on: express-session reports nothing more in that case either. While the answer is
 * held back, isAnswered(res) is true (so no route renders a second page meanwhile).
 */
export function sessionSavedFirst(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const before = snapshot(req);
    const end = res.end;
    let holding = false;
    res.end = function (this: Response, ...args: unknown[]) {
      // A second end() while the first is held back answers nothing more.
      if (holding) return this;
      const session = req.session;
      if (!session || snapshot(req) === before) return (end as (...a: unknown[]) => Response).apply(this, args);
      holding = true;
      markAnswered(this);
      session.save((error: unknown) => {
        if (error) logger.warn({ err: error, url: req.originalUrl }, 'the session could not be saved before the answer');
        (end as (...a: unknown[]) => Response).apply(this, args);
      });
      return this;
    } as Response['end'];
    next();
  };
}

/** The session id and data (its cookie aside, as express-session compares them), or '' without one. */
function snapshot(req: Request): string {
  if (!req.session) return '';
  return `${req.sessionID} ${JSON.stringify(req.session, (key, value: unknown) => (key === 'cookie' ? undefined : value))}`;
}
