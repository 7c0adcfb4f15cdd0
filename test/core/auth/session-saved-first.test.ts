import { expect } from 'chai';
import express, { type Response } from 'express';
import session from 'express-session';
import request from 'supertest';
import { sessionSavedFirst } from '../../../core/auth/session-saved-first.js';
import { isAnswered } from '../../../core/http/answered.js';
import { createLogger } from '../../../core/logger.js';

/** A session store whose saves the test sees: at each save, whether the answer had already gone out. */
class WatchedStore extends session.Store {
  readonly sessions = new Map<string, string>();
  /** Per save: `res.headersSent` once the code that asked for the save ran on (a turn later). */
  readonly sentDuringSave: boolean[] = [];
  res?: Response;
  /** isAnswered(res) right after the handler's redirect. */
  answeredAtOnce?: boolean;

  override get(sid: string, cb: (err: unknown, s?: session.SessionData | null) => void): void {
    const raw = this.sessions.get(sid);
    cb(null, raw ? (JSON.parse(raw) as session.SessionData) : null);
  }
  override set(sid: string, data: session.SessionData, cb?: (err?: unknown) => void): void {
    // A store on the network (PostgreSQL) answers a round trip later: look at the response then.
    setImmediate(() => {
      this.sentDuringSave.push(this.res!.headersSent);
      this.sessions.set(sid, JSON.stringify(data));
      cb?.();
    });
  }
  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.sessions.delete(sid);
    cb?.();
  }
}

function app(store: WatchedStore, savedFirst: boolean): express.Express {
  const a = express();
  a.use(session({ store, secret: 'x', resave: false, saveUninitialized: false }));
  if (savedFirst) a.use(sessionSavedFirst(createLogger('silent')));
  a.post('/act', (req, res) => {
    store.res = res;
    (req.session as unknown as { notices: string[] }).notices = ['Done.'];
    res.redirect(303, '/');
    // What the admin routes ask before rendering a page of their own.
    store.answeredAtOnce = isAnswered(res);
  });
  return a;
}

describe('sessionSavedFirst: a changed session is stored before the browser gets the answer', () => {
  it('holds the redirect back until the session is saved, and counts as answered meanwhile', async () => {
    const store = new WatchedStore();
    const res = await request(app(store, true)).post('/act');
    expect(res.status).to.equal(303);
    expect(store.sentDuringSave, 'nothing was sent while the session was being saved').to.deep.equal([false]);
    expect([...store.sessions.values()][0]).to.include('Done.');
    expect(store.answeredAtOnce, 'no route renders a second page meanwhile').to.equal(true);
  });

  it('without it, express-session sends the redirect before its save (what lost notices on PostgreSQL)', async () => {
    const store = new WatchedStore();
    await request(app(store, false)).post('/act');
    expect(store.sentDuringSave).to.deep.equal([true]);
  });
});
