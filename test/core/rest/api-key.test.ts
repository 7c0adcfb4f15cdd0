import { expect } from 'chai';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { createHooks } from '../../../core/hooks/index.js';
import { OptionsStore } from '../../../core/options/options-store.js';
import { SiteOptions } from '../../../core/options/site-options.js';
import { NetworkApiKey } from '../../../core/rest/api-key.js';
import { forEachBackend, type TestDb } from '../../helpers/backends.js';

/** One host process's API key over its own options cache (loaded at start, never synced here). */
async function processOn(t: TestDb) {
  const store = new OptionsStore(t.layer.db, t.sync);
  const options = new SiteOptions(store, createHooks());
  await options.load();
  return { options, key: new NetworkApiKey(store, options) };
}

forEachBackend('NetworkApiKey', (backend) => {
  async function two() {
    const first = await backend.open();
    await migrateSchema(first.layer, 'core', coreMigrations);
    return [await processOn(first), await processOn(await backend.openAgain())] as const;
  }

  it('a key made and enabled through one process is checked by another from the database at once, past its options cache', async () => {
    const [a, b] = await two();
    const made = a.key.regenerate();
    expect(made.key).to.match(/^hp_[0-9a-f]{24}$/);
    await a.options.flush();
    expect(await b.key.check(made.key, made.secret), 'not enabled yet').to.equal('disabled');
    a.key.setEnabled(true);
    await a.options.flush();
    expect(await b.key.check(made.key, made.secret)).to.equal('ok');
    expect(await b.key.check(made.key, 'wrong')).to.equal('wrong');
    expect(await b.key.check('admin', made.secret)).to.equal('not-key');
    await b.options.refresh(); // what OptionsSync does before b's next request
    const next = b.key.regenerate();
    await b.options.flush();
    expect(await a.key.check(made.key, made.secret), 'the old key stops working everywhere').to.equal('not-key');
    expect(await a.key.check(next.key, next.secret)).to.equal('ok');
    expect(await a.key.current()).to.deep.equal({ ...next, enabled: true });
  });

  it('a first check generates a key and secret, stored for every process', async () => {
    const [a, b] = await two();
    const creds = await a.key.current();
    expect(creds.enabled).to.equal(false);
    expect(await b.key.current()).to.deep.equal(creds);
  });

  it('get() (the admin\'s synchronous read): from the database on SQLite, from the options cache on PostgreSQL', async () => {
    const [a, b] = await two();
    const made = a.key.regenerate();
    await a.options.flush();
    if (backend.name === 'sqlite') expect(b.key.get()).to.deep.equal(made);
    else expect(a.key.get()).to.deep.equal(made);
  });
});
