import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { createHooks } from '../../../core/hooks/index.js';
import { SiteTransients } from '../../../core/options/site-transients.js';
import { SiteTransientsStore } from '../../../core/options/site-transients-store.js';
import { forEachBackend, type TestDb } from '../../helpers/backends.js';

const T0 = 1_795_824_000_000;

forEachBackend('SiteTransients', (backend) => {
  let now = T0;
  const clock = () => now;
  const processOn = (t: TestDb) => {
    const hooks = createHooks();
    return { hooks, store: new SiteTransientsStore(t.layer.db, t.layer.dialect, t.sync), transients: new SiteTransients(new SiteTransientsStore(t.layer.db, t.layer.dialect, t.sync), hooks, clock) };
  };
  async function two() {
    now = T0;
    const first = await backend.open();
    await migrateSchema(first.layer, 'core', coreMigrations);
    return [processOn(first), processOn(await backend.openAgain())] as const;
  }

  it('a transient set through one process is read by another at once, expires with the clock and is deleted when read expired', async () => {
    const [a, b] = await two();
    expect(await b.transients.getAsync('feed')).to.equal(false);
    expect(await a.transients.setAsync('feed', { items: 3 }, 60)).to.equal(true);
    expect(await b.transients.getAsync('feed')).to.deep.equal({ items: 3 });
    now += 60_000;
    expect(await b.transients.getAsync('feed'), 'at its expiry second').to.deep.equal({ items: 3 });
    now += 1_000;
    expect(await b.transients.getAsync('feed')).to.equal(false);
    expect(await a.store.get('feed'), 'deleted when read expired').to.equal(undefined);
    await a.transients.setAsync('forever', 1);
    now += 10 * 365 * 86_400_000;
    expect(await b.transients.getAsync('forever')).to.equal(1);
    expect(await b.transients.deleteAsync('forever')).to.equal(true);
    expect(await a.transients.deleteAsync('forever')).to.equal(false);
    expect(await a.transients.setAsync('x'.repeat(168), 1)).to.equal(false);
  });

  it('fires WordPress\'s hooks, whose filters can change the value and the expiry', async () => {
    const [a] = await two();
    const seen: unknown[] = [];
    a.hooks.add_filter('pre_set_site_transient_t', (v: number) => v * 2);
    a.hooks.add_filter('expiration_of_site_transient_t', () => 5);
    a.hooks.add_action('setted_site_transient', (name: string, value: unknown, seconds: number) => void seen.push([name, value, seconds]), 10, 3);
    a.hooks.add_action('deleted_site_transient', (name: string) => void seen.push(['deleted', name]));
    await a.transients.setAsync('t', 21, 3600);
    expect(await a.store.get('t')).to.deep.equal({ value: '42', expires: T0 / 1000 + 5 });
    await a.transients.deleteAsync('t');
    expect(seen).to.deep.equal([['t', 42, 5], ['deleted', 't']]);
  });

  it('purges expired transients, keeps the rest', async () => {
    const [a] = await two();
    await a.store.set('old', '1', T0 / 1000 - 1);
    await a.store.set('new', '2', T0 / 1000 + 60);
    await a.store.set('never', '3', null);
    expect(await a.store.purgeExpired(T0 / 1000)).to.equal(1);
    expect(await a.store.get('never')).to.deep.equal({ value: '3', expires: null });
  });

  it('WordPress\'s synchronous calls run on SQLite (and refuse on PostgreSQL)', async () => {
    const [a, b] = await two();
    if (backend.name === 'postgres') {
      expect(() => a.transients.get_site_transient('x')).to.throw(/synchronous calls need SQLite/);
      return;
    }
    expect(a.transients.set_site_transient('s', 'v', 10)).to.equal(true);
    expect(b.transients.get_site_transient('s')).to.equal('v');
    now += 11_000;
    expect(b.transients.get_site_transient('s')).to.equal(false);
    expect(a.transients.delete_site_transient('s'), 'deleted when read expired').to.equal(false);
  });

  it('core schema v5 moves transients kept as network options into the table', async () => {
    const { layer } = await backend.open();
    await migrateSchema(layer, 'core', coreMigrations.filter((m) => m.version < 5));
    const db = layer.db as Kysely<any>;
    await db
      .insertInto('site_options')
      .values([
        { name: '_site_transient_feed', value: '{"items":3}' },
        { name: '_site_transient_timeout_feed', value: String(T0 / 1000 + 60) },
        { name: '_site_transient_forever', value: '1' },
        { name: 'site_name', value: '"Kept"' },
      ])
      .execute();
    expect(await migrateSchema(layer, 'core', coreMigrations)).to.include(5);
    const store = new SiteTransientsStore(layer.db, layer.dialect);
    expect(await store.get('feed')).to.deep.equal({ value: '{"items":3}', expires: T0 / 1000 + 60 });
    expect(await store.get('forever')).to.deep.equal({ value: '1', expires: null });
    expect((await db.selectFrom('site_options').select('name').execute()).map((r) => r.name)).to.deep.equal(['site_name']);
  });
});
