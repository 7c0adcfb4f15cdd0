import path from 'node:path';
import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { createPluginApi } from '../../../core/plugins/plugin-api.js';
import type { PluginApi } from '../../../core/plugin-sdk.js';
import { PluginError } from '../../../core/plugin-sdk.js';
import { FakeClock } from '../../../core/testing/fake-clock.js';
import { firstPassOnly, makeApp } from '../../helpers/app.js';
import { freshDatabaseUrl, TEST_DATABASE_URL } from '../../helpers/backends.js';

function apiFor(hp: HookpressApp, slug: string): PluginApi {
  const manifest = { name: slug, description: 'test', version: '1', author: 'tests' };
  return createPluginApi(hp.host, { slug, dir: '/nowhere', manifest, module: { manifest } }).api;
}

/** The error `p` rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => expect.fail('expected a rejection'), (error: unknown) => error);
}

for (const backend of TEST_DATABASE_URL ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const)) {
  describe(`core/plugins: the asynchronous users, sites and site transients of the plugin API on ${backend}`, function () {
    firstPassOnly();
    this.timeout(20_000);
    let hp: HookpressApp;
    let api: PluginApi;
    const clock = new FakeClock();
    beforeEach(async () => {
      const db = backend === 'postgres' ? { databaseUrl: await freshDatabaseUrl(), dataDir: path.join('/nonexistent', 'hookpress-pg-test') } : {};
      hp = await makeApp({ ...db, clock: clock.fn });
      api = apiFor(hp, 'demo-plugin');
    });
    afterEach(() => hp.close());

    it('users: getAsync, listAsync (by login, search, total) and findAsync (login or email, any case)', async () => {
      const { user: zoe } = await hp.host.users.create({ login: 'zoe', email: 'zoe@example.com', password: 'password 123' });
      const { user: bob } = await hp.host.users.create({ login: 'bob', email: 'Bob@Example.com', password: 'password 123' });
      expect(await api.users.getAsync(zoe.id)).to.deep.equal(zoe);
      expect(await api.users.getAsync(9999)).to.equal(undefined);
      const all = await api.users.listAsync();
      expect([all.total, all.items.map((u) => u.login)]).to.deep.equal([3, ['admin', 'bob', 'zoe']]);
      expect((await api.users.listAsync({ search: 'zo', limit: 5 })).items.map((u) => u.login)).to.deep.equal(['zoe']);
      expect((await api.users.listAsync({ limit: 1, offset: 1 })).items.map((u) => u.login)).to.deep.equal(['bob']);
      expect((await api.users.findAsync('ZOE'))?.id).to.equal(zoe.id);
      expect((await api.users.findAsync('bob@example.com'))?.id).to.equal(bob.id);
      expect(await api.users.findAsync('nobody')).to.equal(undefined);
      expect(Object.keys((await api.users.findAsync('zoe'))!)).to.not.include('pass_hash');
    });

    it('sites: createAsync (checks, wp_initialize_site), getAsync, listAsync', async () => {
      const initialized: string[] = [];
      hp.host.hooks.add_action('wp_initialize_site', (site: { slug: string }) => void initialized.push(site.slug));
      const site = await api.sites.createAsync({ slug: 'Shop', title: 'Shop', admin_email: 'shop@example.com' });
      expect([site.slug, initialized]).to.deep.equal(['shop', ['shop']]);
      expect(await api.sites.getAsync(site.id)).to.deep.include({ slug: 'shop', title: 'Shop' });
      expect(await api.sites.getAsync(9999)).to.equal(undefined);
      const listed = await api.sites.listAsync();
      expect([listed.total, listed.items.map((s) => s.slug)]).to.deep.equal([2, ['main', 'shop']]);
      const taken = await rejection(api.sites.createAsync({ slug: 'shop', title: '', admin_email: 'x' }));
      expect(taken).to.have.property('code', 'SITE_EXISTS');
      expect((taken as { fieldMessages(): Record<string, string> }).fieldMessages()).to.have.keys('slug', 'title', 'admin_email');
    });

    it('site transients: *_site_transient_async set, read, expire and delete, with the WordPress hooks', async () => {
      const set: string[] = [];
      hp.host.hooks.add_action('setted_site_transient', (name: string) => void set.push(name));
      expect(await api.options.get_site_transient_async('greeting')).to.equal(false);
      expect(await api.options.set_site_transient_async('greeting', { hello: 'world' }, 60)).to.equal(true);
      expect(set).to.deep.equal(['greeting']);
      expect(await api.options.get_site_transient_async('greeting')).to.deep.equal({ hello: 'world' });
      clock.advance(61_000);
      expect(await api.options.get_site_transient_async('greeting'), 'expired').to.equal(false);
      await api.options.set_site_transient_async('kept', 1);
      expect(await api.options.delete_site_transient_async('kept')).to.equal(true);
      expect(await api.options.delete_site_transient_async('kept')).to.equal(false);
      expect(await api.options.set_site_transient_async('x'.repeat(168), 1), 'a name over 167 characters').to.equal(false);
    });

    it('inside an api.db transaction: the asynchronous calls answer, and a site created in it rolls back with it', async () => {
      await api.db.schema.createTable('asyncapi_rows').addColumn('v', 'integer').execute();
      const failed = api.transaction(async (trx) => {
        await trx.insertInto('asyncapi_rows').values({ v: 1 }).execute();
        expect((await api.users.getAsync(1))?.login).to.equal('admin');
        expect((await api.users.listAsync()).total).to.equal(1);
        expect(await api.options.set_site_transient_async('in-trx', 1)).to.equal(true);
        await api.sites.createAsync({ slug: 'inside', title: 'Inside', admin_email: 'a@example.com' });
        expect((await api.sites.listAsync()).total).to.equal(2);
        throw new Error('boom');
      });
      expect(await rejection(failed)).to.have.property('message', 'boom');
      const sites = (await hp.host.sites.listAsync({ limit: 10, offset: 0, orderby: 'id', order: 'asc' })).items.map((s) => s.slug);
      expect(sites).to.deep.equal(['main']);
    });

    it(backend === 'sqlite' ? 'the synchronous calls work as before' : 'the synchronous calls with no cache behind them throw PLUGIN_SYNC_NEEDS_SQLITE naming their asynchronous twin', async () => {
      const calls: Array<[() => unknown, string]> = [
        [() => api.users.list(), 'api.users.listAsync'],
        [() => api.sites.get(1), 'api.sites.getAsync'],
        [() => api.sites.list(), 'api.sites.listAsync'],
        [() => api.sites.create({ slug: 'sync', title: 'Sync', admin_email: 'a@example.com' }), 'api.sites.createAsync'],
        [() => api.options.get_site_transient('t'), 'api.options.get_site_transient_async'],
        [() => api.options.set_site_transient('t', 1), 'api.options.set_site_transient_async'],
        [() => api.options.delete_site_transient('t'), 'api.options.delete_site_transient_async'],
      ];
      for (const [call, twin] of calls) {
        if (backend === 'sqlite') expect(call).to.not.throw();
        else expect(call).to.throw(PluginError, `use ${twin}.`).with.property('code', 'PLUGIN_SYNC_NEEDS_SQLITE');
      }
      // users.get, user_can and is_super_admin answer on both (on PostgreSQL from the users this process read).
      await api.users.getAsync(1);
      expect([api.users.get(1)?.login, api.users.is_super_admin(1), api.users.user_can(1, 'manage_network')]).to.deep.equal(['admin', true, true]);
    });
  });
}
