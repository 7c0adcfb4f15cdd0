import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { PersistentNotices } from '../../../core/admin/notices.js';
import { NoticesStore } from '../../../core/admin/notices-store.js';
import { forEachBackend, type TestDb } from '../../helpers/backends.js';

const T0 = 1_795_824_000_000;

forEachBackend('PersistentNotices', (backend) => {
  let now = T0;
  const processOn = (t: TestDb) => new PersistentNotices(new NoticesStore(t.layer.db, t.layer.dialect, t.sync), () => now);
  async function two() {
    now = T0;
    const first = await backend.open();
    await migrateSchema(first.layer, 'core', coreMigrations);
    return [processOn(first), processOn(await backend.openAgain())] as const;
  }

  it('notices added by two processes at once are all kept; each sees and dismisses the other\'s', async () => {
    const [a, b] = await two();
    await Promise.all([a.addAsync({ id: 'one', type: 'error', message: 'Endpoint disabled', link: { href: '/x', label: 'Fix' } }), b.addAsync({ id: 'two', type: 'info', message: 'Deleted' })]);
    expect((await a.listAsync()).map((n) => n.id).sort()).to.deep.equal(['one', 'two']);
    expect((await b.listAsync()).find((n) => n.id === 'one')).to.deep.equal({ id: 'one', type: 'error', message: 'Endpoint disabled', link: { href: '/x', label: 'Fix' }, created: T0 });
    expect(await b.dismissAsync('one')).to.equal(true);
    expect(await a.dismissAsync('one')).to.equal(false);
    expect((await a.listAsync()).map((n) => n.id)).to.deep.equal(['two']);
  });

  it('lists oldest first; adding again with an id replaces the notice and moves it last', async () => {
    const [a] = await two();
    const first = await a.addAsync({ type: 'warning', message: 'First' });
    expect(first).to.match(/^[0-9a-f-]{36}$/);
    await a.addAsync({ id: 'same', type: 'info', message: 'Old text' });
    await a.addAsync({ type: 'success', message: 'Third' });
    now += 1000;
    await a.addAsync({ id: 'same', type: 'error', message: 'New text' });
    const list = await a.listAsync();
    expect(list.map((n) => n.message)).to.deep.equal(['First', 'Third', 'New text']);
    expect(list[2]).to.deep.equal({ id: 'same', type: 'error', message: 'New text', created: T0 + 1000 });
    let refused: unknown;
    await a.addAsync({ type: 'fatal' as never, message: 'x' }).catch((e: unknown) => (refused = e));
    expect(refused).to.be.instanceOf(TypeError);
  });

  it('the synchronous calls run on SQLite (and refuse on PostgreSQL)', async () => {
    const [a, b] = await two();
    if (backend.name === 'postgres') {
      expect(() => a.list()).to.throw(/synchronous calls need SQLite/);
      return;
    }
    const id = a.add({ type: 'error', message: 'Sync' });
    expect(b.list().map((n) => n.id)).to.deep.equal([id]);
    expect(b.dismiss(id)).to.equal(true);
    expect(a.list()).to.deep.equal([]);
  });

  it('core schema v6 moves the notices kept in the network option into the table, in order', async () => {
    const { layer } = await backend.open();
    await migrateSchema(layer, 'core', coreMigrations.filter((m) => m.version < 6));
    const kept = [
      { id: 'b', type: 'error', message: 'Disabled', link: { href: '/w', label: 'Edit' }, created: T0 + 1 },
      { id: 'a', type: 'info', message: 'Deleted', created: T0 },
    ];
    await (layer.db as Kysely<any>).insertInto('site_options').values({ name: 'hookpress_admin_notices', value: JSON.stringify(kept) }).execute();
    expect(await migrateSchema(layer, 'core', coreMigrations)).to.include(6);
    expect(await new NoticesStore(layer.db, layer.dialect).list()).to.deep.equal(kept);
    expect(await (layer.db as Kysely<any>).selectFrom('site_options').selectAll().execute()).to.deep.equal([]);
  });
});
