import { expect } from 'chai';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { UsersStore } from '../../../core/users/users-store.js';
import { forEachBackend, type TestDb } from '../../helpers/backends.js';

const T0 = 1_795_824_000_000;

async function storeOn(open: () => Promise<TestDb>): Promise<{ store: UsersStore; sync?: TestDb['sync'] }> {
  const { layer, sync } = await open();
  await migrateSchema(layer, 'core', coreMigrations);
  return { store: new UsersStore(layer.db, layer.dialect, sync), sync };
}

const row = (login: string, email: string, registered: number, display_name = login) => ({ login, email, display_name, pass_hash: `hash-${login}`, registered });

forEachBackend('UsersStore', (backend) => {
  it('inserts, finds by id, login and email without regard to case, counts and deletes', async () => {
    const { store } = await storeOn(backend.open);
    expect(await store.count()).to.equal(0);
    const id = await store.insert(row('Alice', 'Alice@Example.com', T0));
    expect(await store.byId(id)).to.deep.equal({ id, ...row('Alice', 'Alice@Example.com', T0) });
    expect((await store.byLogin('ALICE'))?.id).to.equal(id);
    expect((await store.byEmail('alice@example.COM'))?.id).to.equal(id);
    expect(await store.byLogin('alic')).to.equal(undefined);
    let refused: unknown;
    await store.insert(row('alice', 'other@example.com', T0)).catch((e: unknown) => (refused = e));
    expect(refused, 'a login taken in another case').to.be.instanceOf(Error);
    expect(await store.count()).to.equal(1);
    expect(await store.delete(id)).to.equal(true);
    expect(await store.delete(id)).to.equal(false);
    expect(await store.byId(id)).to.equal(undefined);
  });

  it('lists a page with a case-insensitive search over login, email and display name, ordered, with the total; recent newest first', async () => {
    const { store } = await storeOn(backend.open);
    await store.insert(row('carol', 'carol@example.com', T0 + 3));
    await store.insert(row('Bob', 'bob@shop.test', T0 + 1, 'Robert Shop'));
    await store.insert(row('alice', 'alice@example.com', T0 + 2));
    const logins = (r: { items: Array<{ login: string }> }) => r.items.map((u) => u.login);
    expect(logins(await store.list({ limit: 10, offset: 0 }))).to.deep.equal(['alice', 'Bob', 'carol']);
    expect(logins(await store.list({ limit: 10, offset: 0, orderby: 'registered', order: 'desc' }))).to.deep.equal(['carol', 'alice', 'Bob']);
    const page = await store.list({ search: 'EXAMPLE', limit: 1, offset: 1 });
    expect(page).to.deep.equal({ items: [{ id: 1, login: 'carol', email: 'carol@example.com', display_name: 'carol', registered: T0 + 3 }], total: 2 });
    expect(logins(await store.list({ search: 'shop', limit: 10, offset: 0 }))).to.deep.equal(['Bob']);
    expect((await store.recent(2)).map((u) => u.login)).to.deep.equal(['carol', 'alice']);
    expect(await store.list({ search: 'nobody', limit: 10, offset: 0 })).to.deep.equal({ items: [], total: 0 });
  });

  it('the synchronous face runs the same queries on SQLite and refuses on PostgreSQL', async () => {
    const { store, sync } = await storeOn(backend.open);
    if (!sync) {
      expect(() => store.countSync()).to.throw(/synchronous calls need SQLite/);
      return;
    }
    const id = store.insertSync(row('Dave', 'dave@example.com', T0));
    expect(store.byLoginSync('dave')?.id).to.equal(id);
    expect(store.byEmailSync('DAVE@example.com')?.id).to.equal(id);
    expect(store.byIdSync(id)?.pass_hash).to.equal('hash-Dave');
    expect(store.countSync()).to.equal(1);
    expect(store.listSync({ search: 'dav', limit: 10, offset: 0 }).total).to.equal(1);
    expect(store.recentSync(5).map((u) => u.id)).to.deep.equal([id]);
    expect(await store.byId(id), 'the asynchronous face sees the synchronous write').to.not.equal(undefined);
    expect(store.deleteSync(id)).to.equal(true);
    expect(store.countSync()).to.equal(0);
  });
});
