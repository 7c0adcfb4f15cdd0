import { expect } from 'chai';
import type session from 'express-session';
import type { Options } from 'express-rate-limit';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { DatabaseSessionStore } from '../../../core/auth/session-store.js';
import { DatabaseRateLimitStore } from '../../../core/auth/rate-limit-store.js';
import { forEachBackend, type TestBackend } from '../../helpers/backends.js';

const T0 = 1_795_824_000_000;

/** Two host processes on one migrated database. */
async function twoProcesses(backend: TestBackend) {
  const first = await backend.open();
  await migrateSchema(first.layer, 'core', coreMigrations);
  const second = await backend.openAgain();
  return [first.layer.db, second.layer.db] as const;
}

function call<T>(fn: (cb: (err: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err as Error) : resolve(value))));
}

const data = (maxAge: number, userId: number) => ({ cookie: { originalMaxAge: maxAge }, userId }) as unknown as session.SessionData;

forEachBackend('DatabaseSessionStore', (backend) => {
  it('a session set through one process is read, extended and destroyed through another', async () => {
    let now = T0;
    const [dbA, dbB] = await twoProcesses(backend);
    const a = new DatabaseSessionStore(dbA, () => now);
    const b = new DatabaseSessionStore(dbB, () => now);
    await call((cb) => a.set('sid-1', data(60_000, 7), cb));
    expect(await call<session.SessionData | null>((cb) => b.get('sid-1', cb))).to.deep.include({ userId: 7 });
    now += 50_000;
    await call((cb) => b.touch('sid-1', data(60_000, 7), cb));
    now += 50_000; // past the first expiry, within the extended one
    expect(await call<session.SessionData | null>((cb) => a.get('sid-1', cb))).to.deep.include({ userId: 7 });
    await call((cb) => a.destroy('sid-1', cb));
    expect(await call((cb) => b.get('sid-1', cb))).to.equal(null);
  });

  it('an expired session reads as none and is purged', async () => {
    let now = T0;
    const [db] = await twoProcesses(backend);
    const store = new DatabaseSessionStore(db, () => now);
    await call((cb) => store.set('old', data(1000, 1), cb));
    await call((cb) => store.set('new', data(60_000, 2), cb));
    now += 2000;
    expect(await call((cb) => store.get('old', cb))).to.equal(null);
    expect(await store.purgeExpired()).to.equal(1);
    expect(await call<session.SessionData | null>((cb) => store.get('new', cb))).to.deep.include({ userId: 2 });
  });
});

forEachBackend('DatabaseRateLimitStore', (backend) => {
  const init = (store: DatabaseRateLimitStore) => (store.init({ windowMs: 60_000 } as Options), store);

  it('counts failures of one key across processes in one fixed window, then starts a new window', async () => {
    let now = T0;
    const [dbA, dbB] = await twoProcesses(backend);
    const a = init(new DatabaseRateLimitStore(dbA, 'login-ip:', () => now));
    const b = init(new DatabaseRateLimitStore(dbB, 'login-ip:', () => now));
    expect((await a.increment('203.0.113.9')).totalHits).to.equal(1);
    expect((await b.increment('203.0.113.9')).totalHits).to.equal(2);
    const third = await a.increment('203.0.113.9');
    expect(third).to.deep.equal({ totalHits: 3, resetTime: new Date(T0 + 60_000) });
    expect((await b.get('203.0.113.9'))?.totalHits).to.equal(3);
    now += 60_000;
    expect(await b.get('203.0.113.9')).to.equal(undefined);
    expect(await b.increment('203.0.113.9')).to.deep.equal({ totalHits: 1, resetTime: new Date(now + 60_000) });
  });

  it('keeps limiters apart by prefix; decrement, reset and purge', async () => {
    let now = T0;
    const [db] = await twoProcesses(backend);
    const ip = init(new DatabaseRateLimitStore(db, 'login-ip:', () => now));
    const account = init(new DatabaseRateLimitStore(db, 'login-account:', () => now));
    await ip.increment('k');
    await ip.increment('k');
    expect((await account.increment('k')).totalHits).to.equal(1);
    await ip.decrement('k');
    expect((await ip.get('k'))?.totalHits).to.equal(1);
    await ip.resetKey('k');
    expect(await ip.get('k')).to.equal(undefined);
    now += 60_000;
    expect(await account.purgeExpired()).to.equal(1);
  });
});
