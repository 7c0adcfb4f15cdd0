import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { ADMIN_PASSWORD, firstPassOnly, makeApp } from '../../helpers/app.js';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { createHooks } from '../../../core/hooks/index.js';
import { OptionsStore } from '../../../core/options/options-store.js';
import { SiteOptions } from '../../../core/options/site-options.js';
import { OPTIONS_POLL_MS, OptionsSync, type ListenState } from '../../../core/options/options-sync.js';
import { postgresQueryLayer } from '../../../core/db/query-layer.js';
import { relayTo } from '../../helpers/pg-relay.js';
import { PostgresQueryCompiler, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type UnknownRow } from 'kysely';
import { USERS_CACHE, UsersStore } from '../../../core/users/users-store.js';
import { Users } from '../../../core/users/users.js';
import { forEachBackend, freshDatabaseUrl, runDatabaseUrl, TEST_DATABASE_URL, withSearchPath, type TestDb } from '../../helpers/backends.js';

/** One host process's options: the store, the cache (loaded) and its sync (not started). */
async function processOn(t: TestDb, schema?: string) {
  const store = new OptionsStore(t.layer.db, t.sync);
  const options = new SiteOptions(store, createHooks());
  await options.load();
  const source = t.sync ? { sqlite: t.sync } : { postgresUrl: withSearchPath(await runDatabaseUrl(), schema!), versions: store };
  // A poll far beyond the test: on PostgreSQL the notification must do it.
  const sync = new OptionsSync(options, source, undefined, 3_600_000);
  return { store, options, sync };
}

function nextReload(sync: OptionsSync): Promise<void> {
  return new Promise((resolve) => {
    const off = sync.subscribe(() => {
      off();
      resolve();
    });
  });
}

forEachBackend('SiteOptions across host processes', (backend) => {
  async function two() {
    const first = await backend.open();
    await migrateSchema(first.layer, 'core', coreMigrations);
    const second = await backend.openAgain();
    const schema = first.dialect === 'postgres' ? ((await first.layer.db.selectNoFrom((eb) => eb.fn<string>('current_schema').as('s')).executeTakeFirstOrThrow()).s) : undefined;
    const a = await processOn(first, schema);
    const b = await processOn(second, schema);
    return { a, b };
  }

  /** Lets `b` learn of other processes' writes: SQLite polls now, PostgreSQL waits for the notification. */
  async function deliver(b: Awaited<ReturnType<typeof two>>['b'], write: () => Promise<void>): Promise<void> {
    if (backend.name === 'sqlite') {
      await write();
      b.sync.check();
      return;
    }
    await b.sync.start();
    const reloaded = nextReload(b.sync);
    await write();
    await reloaded;
  }

  it('serves get_site_option from the cache loaded at start: another process\'s write is not seen until the sync brings it', async () => {
    const { a, b } = await two();
    a.options.add_site_option('site_name', 'Before');
    await a.options.flush();
    expect(b.options.get_site_option('site_name')).to.equal(false);
    await deliver(b, async () => {
      a.options.update_site_option('site_name', 'After');
      await a.options.flush();
    });
    expect(b.options.get_site_option('site_name')).to.equal('After');
    await b.sync.stop();
  });

  it('a super admin revoked through one process loses the status in the other (site_admins)', async () => {
    const { a, b } = await two();
    a.options.add_site_option('site_admins', ['admin', 'bob']);
    await a.options.flush();
    await b.options.refresh();
    expect(b.options.get_site_option('site_admins')).to.deep.equal(['admin', 'bob']);
    await deliver(b, async () => {
      a.options.update_site_option('site_admins', ['admin']);
      await a.options.flush();
    });
    expect(b.options.get_site_option('site_admins')).to.deep.equal(['admin']);
    await b.sync.stop();
  });

  it('a deleted option disappears in the other process too; the poll catches what a notification missed', async () => {
    const { a, b } = await two();
    a.options.add_site_option('gone', 1);
    await a.options.flush();
    await b.sync.poll();
    expect(b.options.get_site_option('gone')).to.equal(1);
    a.options.delete_site_option('gone');
    await a.options.flush();
    await b.sync.poll();
    expect(b.options.get_site_option('gone')).to.equal(false);
  });

  it('a process\'s own writes cause no reload, and reach the database', async () => {
    const { a } = await two();
    let reloads = 0;
    a.sync.subscribe(() => void reloads++);
    a.options.add_site_option('mine', { n: 1 });
    a.options.update_site_option('mine', { n: 2 });
    await a.options.flush();
    if (backend.name === 'sqlite') a.sync.check();
    expect(reloads).to.equal(0);
    expect(a.options.get_site_option('mine')).to.deep.equal({ n: 2 });
    expect(await a.store.read('mine')).to.equal('{"n":2}');
  });

  it('other processes see a write within a second (the poll interval)', () => {
    expect(OPTIONS_POLL_MS).to.be.at.most(1000);
  });
});

describe('two hosts on one SQLite DATA_DIR (the CLI beside a server, or a second process)', () => {
  it('a super admin revoked through one host loses network rights on the other from its next request on', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-two-hosts-'));
    const a = await makeApp({ dataDir: dir });
    const b = await makeApp({ dataDir: dir, lockDataDir: false });
    try {
      const { user } = await a.host.users.create({ login: 'bob', email: 'bob@example.com', password: ADMIN_PASSWORD });
      a.host.users.grant_super_admin(user.id);
      // The next request to b looks at data_version first.
      await request(b.app).get('/wp-login.php');
      expect(b.host.users.user_can(user.id, 'manage_network')).to.equal(true);
      a.host.users.revoke_super_admin(user.id);
      expect(b.host.users.user_can(user.id, 'manage_network'), 'before its next request').to.equal(true);
      await request(b.app).get('/wp-login.php');
      expect(b.host.users.user_can(user.id, 'manage_network')).to.equal(false);
    } finally {
      await b.close();
      await a.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

(TEST_DATABASE_URL ? describe : describe.skip)('OptionsSync on PostgreSQL: the listening connection through an outage', function () {
  firstPassOnly();

  /** Resolves on the next `state` the sync reports. */
  function next(sync: OptionsSync, state: ListenState): Promise<void> {
    return new Promise((resolve) => {
      const off = sync.onListenState((s) => {
        if (s !== state) return;
        off();
        resolve();
      });
    });
  }

  it('listens again once the database is back, however many attempts failed meanwhile; notifications then arrive', async () => {
    const url = await freshDatabaseUrl();
    const relay = await relayTo(new URL(url));
    const layer = await postgresQueryLayer(url, { max: 2 });
    let sync: OptionsSync | undefined;
    try {
      await migrateSchema(layer, 'core', coreMigrations);
      const writer = new SiteOptions(new OptionsStore(layer.db), createHooks());
      await writer.load();
      const store = new OptionsStore(layer.db);
      const options = new SiteOptions(store, createHooks());
      await options.load();
      // A poll far beyond the test: only a notification on a live LISTEN brings the write.
      sync = new OptionsSync(options, { postgresUrl: relay.url(url), versions: store }, undefined, 3_600_000, { firstMs: 5, maxMs: 40 });
      const up = next(sync, 'listening');
      await sync.start();
      await up;

      const lost = next(sync, 'lost');
      await relay.cut();
      await lost;
      // A long outage: several attempts fail while the relay refuses connections.
      for (let i = 0; i < 3; i++) await next(sync, 'retry-failed');
      const back = next(sync, 'listening');
      await relay.restore();
      await back;

      const reloaded = new Promise<void>((resolve) => {
        const off = sync!.subscribe(() => {
          off();
          resolve();
        });
      });
      writer.update_site_option('after_outage', 'seen');
      await writer.flush();
      await reloaded;
      expect(options.get_site_option('after_outage')).to.equal('seen');
    } finally {
      await sync?.stop();
      await relay.close();
      await layer.close();
    }
  });
});

/** Records the SQL of every query run through the Kysely instance it is plugged into. */
class QueryLog implements KyselyPlugin {
  readonly sql: string[] = [];
  private readonly compiler = new PostgresQueryCompiler();

  transformQuery(args: PluginTransformQueryArgs): PluginTransformQueryArgs['node'] {
    this.sql.push(this.compiler.compileQuery(args.node, args.queryId).sql);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }

  /** The queries logged since the last call. */
  take(): string[] {
    return this.sql.splice(0);
  }
}

(TEST_DATABASE_URL ? describe : describe.skip)('OptionsSync on PostgreSQL: one query per poll', function () {
  firstPassOnly();

  it('reads the versions of the options and of every followed cache (users) in one query; a moved version costs only its reload', async () => {
    const url = await freshDatabaseUrl();
    const layer = await postgresQueryLayer(url, { max: 2 });
    try {
      await migrateSchema(layer, 'core', coreMigrations);
      // This process's stores run their queries through the log; the writer's do not.
      const log = new QueryLog();
      const db = layer.db.withPlugin(log);
      const store = new OptionsStore(db);
      const options = new SiteOptions(store, createHooks());
      await options.load();
      const users = new Users(new UsersStore(db, 'postgres'), options, createHooks(), () => 1_795_824_000_000, 1024);
      // Polled by hand: no timer, no LISTEN.
      const sync = new OptionsSync(options, { postgresUrl: url, versions: store }, undefined, 3_600_000);
      sync.follow(USERS_CACHE, (version) => users.refreshKnown(version));
      await sync.poll();
      log.take();

      await sync.poll();
      const idle = log.take();
      expect(idle, idle.join('\n')).to.have.length(1);
      expect(idle[0]).to.match(/from "cache_versions" where "name" in \(\$1, \$2\)/);

      const writer = new SiteOptions(new OptionsStore(layer.db), createHooks());
      await writer.load();
      writer.update_site_option('polled', 'yes');
      await writer.flush();
      await sync.poll();
      const moved = log.take();
      expect(options.get_site_option('polled'), 'the write is seen at the next poll').to.equal('yes');
      expect(moved.filter((q) => q.includes('cache_versions')), moved.join('\n')).to.have.length(1);
      expect(moved, 'the versions, then the options reloaded').to.have.length(2);
      await sync.stop();
    } finally {
      await layer.close();
    }
  });
});

describe('OptionsSync.stop()', () => {
  it('waits for a look in progress (a notification or the poll) and starts none after: the host closes its pool next', async () => {
    let answer: (changed: boolean) => void = () => {};
    let looks = 0;
    const refreshed: string[] = [];
    // The PostgreSQL branch of a look: the options' version check, then the followed caches.
    const options = {
      refresh: () => {
        looks++;
        return new Promise<boolean>((resolve) => (answer = resolve));
      },
    } as unknown as SiteOptions;
    const sync = new OptionsSync(options, { postgresUrl: 'postgres://nobody@127.0.0.1:9/never-connected', versions: { cacheVersions: async () => new Map<string, number>() } }, undefined, 3_600_000);
    sync.follow('users', async () => void refreshed.push('users'));
    void sync.poll();
    let stopped = false;
    const stopping = sync.stop().then(() => (stopped = true));
    // Everything already runnable runs (no timer involved): stop() is still waiting for the look.
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).to.equal(false);
    answer(false);
    await stopping;
    // The look finished, its follower included, before stop() resolved — not against a closed pool.
    expect(refreshed).to.deep.equal(['users']);
    await sync.poll();
    expect(looks).to.equal(1);
  });
});
