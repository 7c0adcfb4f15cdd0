import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { FaultInjector } from '../../../core/db/fault-injection.js';
import { runInUnitOfWork } from '../../../core/http/unit-of-work.js';
import { GroupCommit } from '../../../plugins/webhooks/data/group-commit.js';
import { sqliteHostOnly } from '../../helpers/app.js';
import { apiKeyAuth } from '../../helpers/rest.js';
import { makeWebhooksApp, webhooksApi, type WebhooksApp } from '../../helpers/webhooks.js';

/** A file database (WAL, as the host opens it) and a second connection that sees only what is committed. */
function twoConnections(): { db: Database.Database; other: Database.Database; close(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-gc-'));
  const db = new Database(path.join(dir, 'db.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
  const other = new Database(path.join(dir, 'db.sqlite'));
  return {
    db,
    other,
    close() {
      db.close();
      other.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A GroupCommit whose flushes the test runs by hand (no timers). */
function manual(db: Database.Database): { gc: GroupCommit; runScheduled(): void } {
  const queued: Array<() => void> = [];
  const gc = new GroupCommit(db, (flush) => void queued.push(flush));
  return { gc, runScheduled: () => queued.splice(0).forEach((f) => f()) };
}

const settle = <T>(p: Promise<T>) => {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  p.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
};
const turn = () => new Promise((r) => setImmediate(r));

describe('plugins/webhooks group commit', () => {
  let c: ReturnType<typeof twoConnections>;
  beforeEach(() => (c = twoConnections()));
  afterEach(() => c.close());
  const visible = () => (c.other.prepare('SELECT v FROM items ORDER BY id').all() as Array<{ v: string }>).map((r) => r.v);

  it('writes staged in one turn share one transaction, run in arrival order, each caller gets its own result', async () => {
    const { gc, runScheduled } = manual(c.db);
    const insert = c.db.prepare('INSERT INTO items (v) VALUES (?)');
    const promises = ['a', 'b', 'c'].map((v) => gc.add(() => Number(insert.run(v).lastInsertRowid)));
    expect(gc.pending).to.equal(3);
    runScheduled();
    expect(await Promise.all(promises)).to.deep.equal([1, 2, 3]);
    expect(visible()).to.deep.equal(['a', 'b', 'c']);
    expect(gc.stats).to.deep.equal({ commits: 1, writes: 3 });
  });

  it('nothing is reported durable before the COMMIT: the promise waits, the other connection sees nothing, then both at once', async () => {
    const { gc, runScheduled } = manual(c.db);
    const seenAtCommitted: string[][] = [];
    const p = settle(gc.add(() => c.db.prepare("INSERT INTO items (v) VALUES ('x')").run(), () => seenAtCommitted.push(visible())));
    await turn();
    expect(p.done, 'not resolved before the flush').to.equal(false);
    expect(visible(), 'not committed yet').to.deep.equal([]);
    runScheduled();
    await turn();
    expect(seenAtCommitted, 'committed callback runs after COMMIT').to.deep.equal([['x']]);
    expect(p).to.include({ done: true });
    expect(p.error).to.equal(undefined);
  });

  it('a failed COMMIT fails every caller of the batch, and none of its writes is stored', async () => {
    // A deferred foreign key is checked at COMMIT: the COMMIT itself fails.
    c.db.exec('PRAGMA foreign_keys = ON; CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)');
    const { gc, runScheduled } = manual(c.db);
    const committed: string[] = [];
    const waiters = [
      settle(gc.add(() => c.db.prepare("INSERT INTO items (v) VALUES ('a')").run(), () => committed.push('a'))),
      settle(gc.add(() => c.db.prepare('INSERT INTO child (p) VALUES (42)').run(), () => committed.push('child'))),
      settle(gc.add(() => c.db.prepare("INSERT INTO items (v) VALUES ('b')").run(), () => committed.push('b'))),
    ];
    runScheduled();
    await turn();
    expect(waiters.map((w) => w.done)).to.deep.equal([true, true, true]);
    for (const w of waiters) expect(String((w.error as Error)?.message)).to.match(/FOREIGN KEY/);
    expect(committed, 'no follow-up ran').to.deep.equal([]);
    expect(visible()).to.deep.equal([]);
    expect(gc.stats.commits).to.equal(0);
  });

  it('a fault at the start of the transaction fails every caller', async () => {
    const faults = new FaultInjector();
    const { withFaults } = await import('../../../core/db/fault-injection.js');
    const { gc, runScheduled } = manual(withFaults(c.db, faults));
    const waiters = ['a', 'b'].map((v) => settle(gc.add(() => c.db.prepare('INSERT INTO items (v) VALUES (?)').run(v))));
    faults.fail('SQLITE_IOERR', { scope: 'writes', times: 1 });
    runScheduled();
    await turn();
    for (const w of waiters) expect((w.error as { code?: string })?.code).to.equal('SQLITE_IOERR');
    expect(visible()).to.deep.equal([]);
  });

  it('a write that throws rolls back alone (its savepoint); the others commit', async () => {
    const { gc, runScheduled } = manual(c.db);
    const ins = (v: string) => gc.add(() => c.db.prepare('INSERT INTO items (v) VALUES (?)').run(v));
    const a = settle(ins('a'));
    const dup = settle(
      gc.add(() => {
        c.db.prepare("INSERT INTO items (v) VALUES ('half')").run();
        c.db.prepare("INSERT INTO items (v) VALUES ('a')").run(); // UNIQUE: throws
      }),
    );
    const b = settle(ins('b'));
    runScheduled();
    await turn();
    expect(a.error).to.equal(undefined);
    expect(b.error).to.equal(undefined);
    expect(String((dup.error as Error).message)).to.match(/UNIQUE/);
    expect(visible(), 'the failed write left nothing, not even its first row').to.deep.equal(['a', 'b']);
  });

  it('never commits inside a caller’s open transaction: it waits for the next turn', async () => {
    const { gc, runScheduled } = manual(c.db);
    const p = settle(gc.add(() => c.db.prepare("INSERT INTO items (v) VALUES ('x')").run()));
    c.db.transaction(() => {
      gc.flush();
      expect(gc.pending).to.equal(1);
    })();
    runScheduled();
    await turn();
    expect(p.done).to.equal(true);
    expect(visible()).to.deep.equal(['x']);
  });
});

describe('plugins/webhooks events fired by units of work', () => {
  // PostgreSQL has its own batches (EventBatches: event-batches.test.ts, postgres-engine.test.ts).
  sqliteHostOnly('the SQLite group commit on the synchronous handle: its stats, its transactions and its injected faults');
  let w: WebhooksApp;
  let faults: FaultInjector;
  beforeEach(async () => {
    faults = new FaultInjector();
    w = await makeWebhooksApp({}, { faults });
    await w.api.async.create_webhook({ name: 'Endpoint', url: 'http://127.0.0.1:9/hook', event: 'user_created' });
    // An endpoint that fires one event and answers with its id, like any handler that fires.
    w.hp.host.rest.register_rest_route('fire-test/v1', '/fire', {
      methods: 'POST',
      permission_callback: (req) => req.auth.can('manage_network'),
      callback: () => ({ id: webhooksApi(w.hp).wu_do_event('user_created', { user_id: 1 }) }),
    });
  });
  afterEach(() => w.hp.close());
  const events = () => (w.hp.db.prepare("SELECT COUNT(*) AS n FROM webhook_events WHERE event = 'user_created'").get() as { n: number }).n;

  it('concurrent callers share one commit, and each resolves only once its event is stored', async () => {
    const before = { ...w.service.deliveries!.commits.stats };
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, () =>
        runInUnitOfWork(() => {
          w.service.wu_do_event('user_created', { user_id: 1 });
        }).then(() => seen.push(events())),
      ),
    );
    expect(seen.every((n) => n === 5), 'every caller resumed after all five were stored').to.equal(true);
    expect(w.service.deliveries!.commits.stats.commits - before.commits, 'one commit for five callers').to.equal(1);
  });

  it('an event fired inside a caller’s transaction still commits or rolls back with it', () => {
    expect(() =>
      w.hp.db.transaction(() => {
        w.service.wu_do_event('user_created', { user_id: 1 });
        throw new Error('the change failed');
      })(),
    ).to.throw('the change failed');
    expect(events()).to.equal(0);
    w.hp.db.transaction(() => void w.service.wu_do_event('user_created', { user_id: 1 }))();
    expect(events()).to.equal(1);
  });

  it('a request that fired an event is answered only once it is committed: a storage fault on the flush answers 503 and stores nothing', async () => {
    const auth = apiKeyAuth(w.hp);
    const ok = await request(w.hp.app).post('/wp-json/fire-test/v1/fire').set('Authorization', auth);
    expect(ok.status).to.equal(200);
    expect(events(), 'stored when answered').to.equal(1);
    // Every write fails from the moment the event is staged (the handler has run; the flush has not).
    const arm = () => void faults.fail('SQLITE_IOERR', { scope: 'writes' });
    w.hp.hooks.add_action('wu_event_user_created', arm);
    const failed = await request(w.hp.app).post('/wp-json/fire-test/v1/fire').set('Authorization', auth).set('Accept', 'application/json');
    faults.clear();
    w.hp.hooks.remove_action('wu_event_user_created', arm);
    expect(failed.status).to.equal(503);
    expect(failed.headers['retry-after']).to.equal('1');
    expect(failed.body).to.include({ code: 'storage_unavailable' });
    expect(JSON.stringify(failed.body)).not.to.include('evt_');
    expect(events(), 'the failed event left nothing').to.equal(1);
    expect(faults.lastFault?.sql).to.equal('BEGIN');
  });
});
