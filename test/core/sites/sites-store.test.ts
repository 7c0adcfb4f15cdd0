import { expect } from 'chai';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { SitesStore } from '../../../core/sites/sites-store.js';
import { forEachBackend, type TestDb } from '../../helpers/backends.js';

const T0 = 1_795_824_000_000;

async function storeOn(open: () => Promise<TestDb>): Promise<{ store: SitesStore; sync?: TestDb['sync'] }> {
  const { layer, sync } = await open();
  await migrateSchema(layer, 'core', coreMigrations);
  return { store: new SitesStore(layer.db, layer.dialect, sync), sync };
}

const site = (slug: string, title: string, registered: number) => ({ slug, title, admin_email: `${slug}@example.com`, registered, public: 1 });

forEachBackend('SitesStore', (backend) => {
  it('inserts, finds by id and by slug without regard to case, counts and deletes', async () => {
    const { store } = await storeOn(backend.open);
    expect(await store.count()).to.equal(0);
    const id = await store.insert(site('main', 'Main Site', T0));
    expect(await store.byId(id)).to.deep.equal({ id, ...site('main', 'Main Site', T0) });
    expect((await store.bySlug('MAIN'))?.id).to.equal(id);
    let refused: unknown;
    await store.insert(site('Main', 'Again', T0)).catch((e: unknown) => (refused = e));
    expect(refused, 'a slug taken in another case').to.be.instanceOf(Error);
    expect(await store.count()).to.equal(1);
    expect(await store.delete(id)).to.equal(true);
    expect(await store.delete(id)).to.equal(false);
  });

  it('lists a page with a case-insensitive search over slug and title, ordered, with the total; recent newest first', async () => {
    const { store } = await storeOn(backend.open);
    await store.insert(site('main', 'Main Site', T0));
    await store.insert(site('shop', 'The Shop', T0 + 2));
    await store.insert(site('blog', 'Shop news', T0 + 1));
    const slugs = (r: { items: Array<{ slug: string }> }) => r.items.map((s) => s.slug);
    expect(slugs(await store.list({ limit: 10, offset: 0 }))).to.deep.equal(['main', 'shop', 'blog']);
    expect(slugs(await store.list({ limit: 10, offset: 0, orderby: 'slug', order: 'desc' }))).to.deep.equal(['shop', 'main', 'blog']);
    const page = await store.list({ search: 'SHOP', orderby: 'title', limit: 1, offset: 0 });
    expect(page.total).to.equal(2);
    expect(slugs(page)).to.deep.equal(['blog']);
    expect(slugs(await store.list({ orderby: 'no such column', limit: 10, offset: 1 }))).to.deep.equal(['shop', 'blog']);
    expect((await store.recent(2)).map((s) => s.slug)).to.deep.equal(['shop', 'blog']);
  });

  it('the synchronous face runs the same queries on SQLite and refuses on PostgreSQL', async () => {
    const { store, sync } = await storeOn(backend.open);
    if (!sync) {
      expect(() => store.bySlugSync('main')).to.throw(/synchronous calls need SQLite/);
      return;
    }
    const id = store.insertSync(site('main', 'Main Site', T0));
    expect(store.bySlugSync('Main')?.id).to.equal(id);
    expect(store.byIdSync(id)?.title).to.equal('Main Site');
    expect(store.countSync()).to.equal(1);
    expect(store.listSync({ search: 'mai', limit: 10, offset: 0 }).total).to.equal(1);
    expect(store.recentSync(1).map((s) => s.id)).to.deep.equal([id]);
    expect((await store.bySlug('main'))?.id, 'the asynchronous face sees the synchronous write').to.equal(id);
    expect(store.deleteSync(id)).to.equal(true);
    expect(store.countSync()).to.equal(0);
  });
});
