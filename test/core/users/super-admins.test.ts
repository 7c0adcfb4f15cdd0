import { expect } from 'chai';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { createHooks } from '../../../core/hooks/index.js';
import { OptionsStore } from '../../../core/options/options-store.js';
import { OptionsSync } from '../../../core/options/options-sync.js';
import { SiteOptions } from '../../../core/options/site-options.js';
import { UsersStore } from '../../../core/users/users-store.js';
import { Users } from '../../../core/users/users.js';
import { forEachBackend, runDatabaseUrl, withSearchPath, type TestDb } from '../../helpers/backends.js';

const T0 = 1_795_824_000_000;

/** One host process's users: its own options cache (loaded) and the sync that brings other processes' writes. */
async function processOn(t: TestDb, schema?: string) {
  const store = new OptionsStore(t.layer.db, t.sync);
  const options = new SiteOptions(store, createHooks());
  await options.load();
  const users = new Users(new UsersStore(t.layer.db, t.layer.dialect, t.sync), options, createHooks(), () => T0, 1024);
  const source = t.sync ? { sqlite: t.sync } : { postgresUrl: withSearchPath(await runDatabaseUrl(), schema!), versions: store };
  // A poll far beyond the test: on PostgreSQL the notification must bring the change.
  const sync = new OptionsSync(options, source, undefined, 3_600_000);
  return { options, users, sync };
}

forEachBackend("Users' super-admin status across host processes", (backend) => {
  async function two() {
    const first = await backend.open();
    await migrateSchema(first.layer, 'core', coreMigrations);
    const schema =
      first.dialect === 'postgres' ? (await first.layer.db.selectNoFrom((eb) => eb.fn<string>('current_schema').as('s')).executeTakeFirstOrThrow()).s : undefined;
    const a = await processOn(first, schema);
    const b = await processOn(await backend.openAgain(), schema);
    return { a, b };
  }

  /** Runs `write` in `a`, and resolves once `b` has the change: SQLite at its next request's check, PostgreSQL by notification. */
  async function seenBy(b: Awaited<ReturnType<typeof processOn>>, write: () => Promise<void>): Promise<number> {
    const started = Date.now();
    if (backend.name === 'sqlite') {
      await write();
      b.sync.check(); // what the start of b's next request does
      return Date.now() - started;
    }
    const reloaded = new Promise<void>((resolve) => void b.sync.subscribe(resolve));
    await write();
    await reloaded;
    return Date.now() - started;
  }

  it('a grant and a revoke through one process reach the other within a second', async () => {
    const { a, b } = await two();
    if (backend.name === 'postgres') await b.sync.start();
    try {
      const { user } = await a.users.create({ login: 'Bob', email: 'bob@example.com', password: 'correct horse battery' });
      expect(await b.users.isSuperAdmin(user.id)).to.equal(false);
      const granted = await seenBy(b, async () => {
        expect(await a.users.grantSuperAdmin(user.id)).to.equal(true);
        await a.options.flush();
      });
      expect(await b.users.isSuperAdmin(user.id), 'granted elsewhere').to.equal(true);
      const revoked = await seenBy(b, async () => {
        expect(await a.users.revokeSuperAdmin(user.id)).to.equal(true);
        await a.options.flush();
      });
      expect(await b.users.isSuperAdmin(user.id), 'revoked elsewhere').to.equal(false);
      expect(await b.users.revokeSuperAdmin(user.id), 'nothing left to revoke').to.equal(false);
      expect(Math.max(granted, revoked)).to.be.lessThan(1000);
      if (backend.name === 'sqlite') expect(b.users.user_can(user.id, 'manage_network'), 'the synchronous check agrees').to.equal(false);
    } finally {
      await b.sync.stop();
    }
  });

  it('without the sync, a process keeps its cached super admins (what the sync is for)', async () => {
    const { a, b } = await two();
    const { user } = await a.users.create({ login: 'carol', email: 'carol@example.com', password: 'correct horse battery' });
    await a.users.grantSuperAdmin(user.id);
    await a.options.flush();
    expect(await b.users.isSuperAdmin(user.id)).to.equal(false);
  });

  it('a grant or revoke through a process whose cache is behind never undoes another process\'s change', async () => {
    const { a, b } = await two();
    const carol = (await a.users.create({ login: 'carol', email: 'carol@example.com', password: 'correct horse battery' })).user;
    const dave = (await a.users.create({ login: 'dave', email: 'dave@example.com', password: 'correct horse battery' })).user;
    await b.users.grantSuperAdmin(carol.id);
    await b.options.flush();
    await a.users.revokeSuperAdmin(carol.id); // a had not seen the grant: it reads the list first
    await a.options.flush();
    // b has not seen the revoke (no sync here); its grant of dave must not bring carol back.
    await b.users.grantSuperAdmin(dave.id);
    await b.options.flush();
    expect(await a.options.refresh()).to.equal(true);
    expect(a.users.superAdminLogins()).to.deep.equal(['dave']);
    if (backend.name === 'sqlite') {
      // The synchronous calls read the list first too.
      const erin = (await a.users.create({ login: 'erin', email: 'erin@example.com', password: 'correct horse battery' })).user;
      expect(a.users.grant_super_admin(erin.id)).to.equal(true);
      expect(b.users.revoke_super_admin(dave.id)).to.equal(true);
      a.options.refreshSync();
      expect(a.users.superAdminLogins()).to.deep.equal(['erin']);
    }
  });
});
