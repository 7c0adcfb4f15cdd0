import { expect } from 'chai';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { createHooks } from '../../../core/hooks/index.js';
import { OptionsStore } from '../../../core/options/options-store.js';
import { SiteOptions } from '../../../core/options/site-options.js';
import { forEachBackend, type TestDb } from '../../helpers/backends.js';

async function processOn(t: TestDb) {
  const store = new OptionsStore(t.layer.db, t.sync);
  const options = new SiteOptions(store, createHooks());
  await options.load();
  return { store, options };
}

forEachBackend('SiteOptions written through a cache a moment behind another process', (backend) => {
  async function two() {
    const first = await backend.open();
    await migrateSchema(first.layer, 'core', coreMigrations);
    return [await processOn(first), await processOn(await backend.openAgain())] as const;
  }

  it('update_site_option of an option another process added since is stored, not dropped', async () => {
    const [a, b] = await two();
    a.options.add_site_option('site_name', 'From a');
    await a.options.flush();
    // b's cache says absent: WordPress's update_site_option adds it then.
    expect(b.options.update_site_option('site_name', 'From b')).to.equal(true);
    await b.options.flush();
    expect(await a.store.read('site_name')).to.equal('"From b"');
  });

  it('update_site_option of an option another process deleted since is stored again', async () => {
    const [a, b] = await two();
    a.options.add_site_option('admin_email', 'a@example.com');
    await a.options.flush();
    await b.options.refresh();
    a.options.delete_site_option('admin_email');
    await a.options.flush();
    expect(b.options.update_site_option('admin_email', 'b@example.com')).to.equal(true);
    await b.options.flush();
    expect(await a.store.read('admin_email')).to.equal('"b@example.com"');
  });

  it('add_site_option still refuses an option that exists in the database', async () => {
    const [a, b] = await two();
    a.options.add_site_option('site_name', 'From a');
    await a.options.flush();
    if (backend.name === 'sqlite') expect(b.options.add_site_option('site_name', 'From b')).to.equal(false);
    else b.options.add_site_option('site_name', 'From b'); // PostgreSQL writes in the background
    await b.options.flush();
    expect(await a.store.read('site_name')).to.equal('"From a"');
  });
});
