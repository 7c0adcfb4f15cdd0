import { expect } from 'chai';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { ApplicationPasswordsStore } from '../../../core/rest/application-passwords-store.js';
import { UsersStore } from '../../../core/users/users-store.js';
import { forEachBackend } from '../../helpers/backends.js';

const T0 = 1_795_824_000_000;

forEachBackend('ApplicationPasswordsStore', (backend) => {
  async function setUp() {
    const { layer, sync } = await backend.open();
    await migrateSchema(layer, 'core', coreMigrations);
    const users = new UsersStore(layer.db, layer.dialect, sync);
    const userId = await users.insert({ login: 'zed', email: 'zed@example.com', display_name: 'Zed', pass_hash: 'x', registered: T0 });
    return { store: new ApplicationPasswordsStore(layer.db, layer.dialect, sync), users, userId, sync };
  }
  const item = (uuid: string, user_id: number, created: number) => ({ uuid, user_id, app_id: '', name: `app ${uuid}`, password_hash: `h-${uuid}`, created });

  it('stores, lists oldest first without hashes, records a use, deletes only the owner\'s, and goes with its user', async () => {
    const { store, users, userId } = await setUp();
    const other = await users.insert({ login: 'amy', email: 'amy@example.com', display_name: 'Amy', pass_hash: 'x', registered: T0 });
    await store.insert(item('b', userId, T0 + 1));
    await store.insert(item('a', userId, T0));
    await store.insert(item('c', other, T0));
    expect(await store.list(userId)).to.deep.equal([
      { uuid: 'a', app_id: '', name: 'app a', created: T0, last_used: null, last_ip: null },
      { uuid: 'b', app_id: '', name: 'app b', created: T0 + 1, last_used: null, last_ip: null },
    ]);
    expect(await store.hashes(userId)).to.have.deep.members([
      { uuid: 'a', password_hash: 'h-a' },
      { uuid: 'b', password_hash: 'h-b' },
    ]);
    await store.touch('b', T0 + 5, '203.0.113.7');
    expect((await store.list(userId))[1]).to.include({ last_used: T0 + 5, last_ip: '203.0.113.7' });
    expect(await store.delete(other, 'a'), 'another user\'s').to.equal(false);
    expect(await store.delete(userId, 'a')).to.equal(true);
    await users.delete(userId);
    expect(await store.hashes(userId), 'deleted with the user').to.deep.equal([]);
    expect((await store.list(other)).map((p) => p.uuid)).to.deep.equal(['c']);
  });

  it('the synchronous face runs the same queries on SQLite and refuses on PostgreSQL', async () => {
    const { store, userId, sync } = await setUp();
    if (!sync) {
      expect(() => store.listSync(userId)).to.throw(/synchronous calls need SQLite/);
      return;
    }
    store.insertSync(item('s', userId, T0));
    expect(store.listSync(userId).map((p) => p.uuid)).to.deep.equal(['s']);
    expect((await store.hashes(userId)).length).to.equal(1);
    expect(store.deleteSync(userId, 's')).to.equal(true);
    expect(store.listSync(userId)).to.deep.equal([]);
  });

  it('an installation that made the table before core schema v4 keeps it and its rows (SQLite)', async function () {
    if (backend.name !== 'sqlite') return this.skip();
    const { layer, sync } = await backend.open();
    await migrateSchema(layer, 'core', coreMigrations.filter((m) => m.version < 4));
    // The table as the former migration "application-passwords" 1 made it.
    sync!.exec(`CREATE TABLE application_passwords (uuid TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      app_id TEXT NOT NULL DEFAULT '', name TEXT NOT NULL, password_hash TEXT NOT NULL, created INTEGER NOT NULL, last_used INTEGER, last_ip TEXT);
      CREATE INDEX application_passwords_user ON application_passwords (user_id);`);
    const userId = await new UsersStore(layer.db, layer.dialect, sync).insert({ login: 'old', email: 'old@example.com', display_name: 'Old', pass_hash: 'x', registered: T0 });
    sync!.prepare('INSERT INTO application_passwords (uuid, user_id, name, password_hash, created) VALUES (?, ?, ?, ?, ?)').run('kept', userId, 'Zapier', 'h', T0);
    expect(await migrateSchema(layer, 'core', coreMigrations)).to.include(4);
    expect((await new ApplicationPasswordsStore(layer.db, layer.dialect, sync).list(userId)).map((p) => p.uuid)).to.deep.equal(['kept']);
  });
});
