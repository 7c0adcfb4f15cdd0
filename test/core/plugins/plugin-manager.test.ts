import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OptionsStore } from '../../../core/options/options-store.js';
import { FIXTURE_PLUGINS, HOST_BACKEND, loginAgent, makeApp, nonceNear } from '../../helpers/app.js';

// The same module instance the loader imports (same URL), to read what the plugin recorded.
const { calls } = (await import(pathToFileURL(path.join(FIXTURE_PLUGINS, 'sample', 'index.ts')).href)) as { calls: string[] };

describe('core/plugins loader and plugin API', () => {
  let hp: HookpressApp;
  beforeEach(async () => {
    calls.length = 0;
    hp = await makeApp({ pluginSlugs: ['sample', 'broken-load', 'no-manifest'] });
  });
  afterEach(() => hp.close());

  it('lists plugins from their manifests and marks broken ones', async () => {
    const agent = await loginAgent(hp);
    const res = await agent.get('/wp-admin/network/plugins.php');
    expect(res.text).to.include('Sample &lt;Plugin&gt;').and.include('A fixture plugin with a menu page.').and.include('Version 1.0.0 | By Tests');
    expect(res.text).to.include('This plugin could not be loaded: Plugin &quot;no-manifest&quot; must export a manifest object.');
  });

  it('deactivates a plugin that throws while loading, names it in a notice, and keeps serving', async () => {
    expect(hp.plugins.isActive('broken-load')).to.equal(false);
    expect(hp.hooks.has_action('init'), 'its hooks were removed').to.equal(false);
    const agent = await loginAgent(hp);
    const res = await agent.get('/wp-admin/network/');
    expect(res.status).to.equal(200);
    expect(res.text).to.include('The plugin “Broken Loader” was deactivated because it failed while loading: database &#34;nope&#34; is unreachable');
  });

  it('network-activates through the Plugins screen: activate, load, activated_plugin, menu, page hooks', async () => {
    const fired: unknown[] = [];
    hp.hooks.add_action('activated_plugin', (slug: string, network: boolean) => void fired.push([slug, network]), 10, 2);
    const agent = await loginAgent(hp);
    const list = await agent.get('/wp-admin/network/plugins.php');
    const res = await agent.post('/wp-admin/network/plugins.php').type('form').send({ _wpnonce: nonceNear(list.text, 'value="sample"'), action: 'activate', plugin: 'sample' });
    expect(res.status).to.equal(303);
    expect(fired).to.deep.equal([['sample', true]]);
    // Activated at run time, its init callback runs then, as it would have at start.
    expect(calls).to.deep.equal(['activate', 'init']);
    expect(hp.host.options.get_site_option('active_sitewide_plugins')).to.have.property('sample');
    expect(await hp.query.db.selectFrom('schema_migrations').select(['owner', 'version']).where('owner', '=', 'plugin:sample').execute()).to.deep.equal([{ owner: 'plugin:sample', version: 1 }]);

    calls.length = 0;
    const page = await agent.get('/wp-admin/network/admin.php?page=sample&msg=%3Cb%3Ehi');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Sample page').and.include('&lt;b&gt;hi').and.include('<span class="menu-name">Sample</span>');
    expect(calls).to.deep.equal(['admin_init', 'load:toplevel_page_sample', 'render:toplevel_page_sample']);
    const sub = await agent.get('/wp-admin/network/admin.php?page=sample-sub');
    expect(sub.text).to.include('Sub page');
    expect(hp.host.menu.findPage('sample-sub')!.hookName).to.equal('sample_page_sample-sub');
  });

  it('rebuilding the menu does not double hooks added by menu callbacks', async () => {
    await hp.plugins.activate('sample');
    const agent = await loginAgent(hp);
    await agent.get('/wp-admin/network/');
    hp.host.adminMenu.invalidate();
    await agent.get('/wp-admin/network/');
    calls.length = 0;
    await agent.get('/wp-admin/network/admin.php?page=sample');
    expect(calls.filter((c) => c.startsWith('load:'))).to.have.length(1);
  });

  it('deactivation removes the plugin’s hooks, menus and pages and fires deactivated_plugin', async () => {
    await hp.plugins.activate('sample');
    const fired: string[] = [];
    hp.hooks.add_action('deactivated_plugin', (slug: string) => void fired.push(slug));
    await hp.plugins.deactivate('sample');
    expect(fired).to.deep.equal(['sample']);
    expect(calls).to.include('deactivate');
    const agent = await loginAgent(hp);
    expect((await agent.get('/wp-admin/network/admin.php?page=sample')).status).to.equal(404);
    calls.length = 0;
    hp.hooks.do_action('init');
    expect(calls).to.deep.equal([]);
  });

  it('a non-super-admin gets 403 on plugin pages and does not see them in the menu', async () => {
    await hp.plugins.activate('sample');
    await hp.host.users.create({ login: 'lee', email: 'lee@example.com', password: 'password 123' });
    const agent = await loginAgent(hp, 'lee', 'password 123');
    expect((await agent.get('/wp-admin/network/admin.php?page=sample')).status).to.equal(403);
  });

  it('activating an unknown plugin is a typed error', async () => {
    const err = await hp.plugins.activate('nope').then(() => null, (e: { code: string }) => e);
    expect(err).to.include({ code: 'PLUGIN_NOT_FOUND' });
  });
});

describe('core/plugins activate and deactivate outside a request (no unit of work waits for the write)', () => {
  let hp: HookpressApp;
  let store: OptionsStore;
  beforeEach(async () => {
    hp = await makeApp({ pluginSlugs: ['sample'] });
    store = (hp.host.options as unknown as { store: OptionsStore }).store;
    await hp.plugins.activate('sample');
  });
  afterEach(() => hp.close());

  /** Whether the database (not this process's cache) has `sample` in the network's active set. */
  const storedActive = async () => Object.hasOwn(JSON.parse((await store.loadAll()).get('active_sitewide_plugins') ?? '{}'), 'sample');

  it('deactivate resolves only once the plugin is stored inactive (PostgreSQL writes options in the background)', async () => {
    expect(await storedActive(), 'activate resolved with the plugin stored active').to.equal(true);
    let release: (() => void) | undefined;
    if (HOST_BACKEND === 'postgres') {
      // The write waits until the test lets it go: deactivate must wait for it.
      const upsert = store.upsert.bind(store);
      store.upsert = (name, json) => new Promise<void>((resolve) => (release = resolve)).then(() => upsert(name, json));
    }
    let done = false;
    const deactivating = hp.plugins.deactivate('sample').then(() => (done = true));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    if (release) {
      expect(done, 'deactivate waits for the write').to.equal(false);
      release();
    }
    await deactivating;
    expect(await storedActive()).to.equal(false);
    expect(hp.plugins.apiOf('sample'), 'unloaded').to.equal(undefined);
  });

  it('deactivate rejects when the active set cannot be stored, and the plugin stays active and loaded', async () => {
    const fault = Object.assign(new Error('the database went away'), { code: HOST_BACKEND === 'postgres' ? '57P01' : 'SQLITE_IOERR' });
    if (HOST_BACKEND === 'postgres') store.upsert = () => Promise.reject(fault);
    else store.upsertSync = () => {
      throw fault;
    };
    const error = await hp.plugins.deactivate('sample').then(() => undefined, (e: unknown) => e);
    expect(error).to.equal(fault);
    expect(hp.plugins.isActive('sample')).to.equal(true);
    expect(hp.plugins.apiOf('sample'), 'still loaded').to.not.equal(undefined);
    expect(await storedActive()).to.equal(true);
  });
});
