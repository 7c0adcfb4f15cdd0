import { expect } from 'chai';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ChildHost, loginChild, pluginsFolder, tempDataDir } from '../../helpers/child-host.js';
import { nonceNear } from '../../helpers/app.js';

/** Marks `slug` network-active in a stopped host's database, as an activation under an older host would have. */
function markActive(dataDir: string, slug: string): void {
  const db = new Database(path.join(dataDir, 'hookpress.sqlite'));
  const row = db.prepare("SELECT value FROM site_options WHERE name = 'active_sitewide_plugins'").get() as { value: string };
  const active = JSON.parse(row.value) as Record<string, number>;
  active[slug] = Date.now();
  db.prepare("UPDATE site_options SET value = ? WHERE name = 'active_sitewide_plugins'").run(JSON.stringify(active));
  db.close();
}

function activeIn(dataDir: string): string[] {
  const db = new Database(path.join(dataDir, 'hookpress.sqlite'), { readonly: true });
  const row = db.prepare("SELECT value FROM site_options WHERE name = 'active_sitewide_plugins'").get() as { value: string };
  db.close();
  return Object.keys(JSON.parse(row.value) as object).sort();
}

async function activateThroughScreen(url: string, slug: string) {
  const agent = await loginChild(url);
  const list = await agent.get('/wp-admin/network/plugins.php');
  const res = await agent.post('/wp-admin/network/plugins.php').type('form').send({ _wpnonce: nonceNear(list.text, `value="${slug}"`), action: 'activate', plugin: slug });
  const after = await agent.get('/wp-admin/network/plugins.php');
  return { res, after, agent };
}

describe('core/plugins: no plugin can stop the host (process level: start, activate, restart)', function () {
  this.timeout(60_000);
  let data: ReturnType<typeof tempDataDir>;
  let plugins: ReturnType<typeof pluginsFolder>;
  const hosts: ChildHost[] = [];
  const start = () => {
    const h = ChildHost.start({ DATA_DIR: data.dir, PLUGINS_DIR: plugins.dir });
    hosts.push(h);
    return h;
  };

  beforeEach(() => {
    data = tempDataDir();
    plugins = pluginsFolder(['webhooks'], ['init-boom', 'bad-event-slug']);
  });
  afterEach(async () => {
    for (const h of hosts.splice(0)) {
      h.kill();
      await h.exited;
    }
    data.remove();
    plugins.remove();
  });

  it('a plugin whose init callback throws: activation answers with a notice (init runs then), and a start with it active deactivates it and serves', async () => {
    let host = start();
    let url = await host.ready;
    const { res, after } = await activateThroughScreen(url, 'init-boom');
    expect(res.status).to.equal(303);
    expect(after.status).to.equal(200);
    expect(after.text).to.include('Plugin “Init Boom” could not be activated: init boom');
    expect(activeIn(data.dir)).to.deep.equal(['webhooks']);
    await host.stop();

    // Active when the host starts (as after an activation by an older host): it starts and serves.
    markActive(data.dir, 'init-boom');
    host = start();
    url = await host.ready;
    const agent = await loginChild(url);
    const dash = await agent.get('/wp-admin/network/');
    expect(dash.status).to.equal(200);
    expect(dash.text).to.include('The plugin “Init Boom” was deactivated because it failed while starting up: init boom');
    expect(dash.text, 'its menu registration was rolled back').not.to.include('admin.php?page=init-boom');
    expect((await agent.get('/wp-admin/network/admin.php?page=webhooks')).status, 'the other plugins serve').to.equal(200);
    expect(activeIn(data.dir)).to.deep.equal(['webhooks']);
    await host.stop();

    // And the next start is a normal one.
    host = start();
    url = await host.ready;
    expect((await (await loginChild(url)).get('/wp-admin/network/')).status).to.equal(200);
    await host.stop();
  });

  it('a plugin that registers an invalid event slug: activation answers with the notice, not a 500; its events are rolled back; a start with it active serves', async () => {
    let host = start();
    let url = await host.ready;
    const { res, after, agent } = await activateThroughScreen(url, 'bad-event-slug');
    expect(res.status).to.equal(303);
    expect(after.text).to.include('Plugin “Bad Event Slug” could not be activated: An event slug must be 2–64 lowercase letters');
    expect(activeIn(data.dir)).to.deep.equal(['webhooks']);
    const add = await agent.get('/wp-admin/network/admin.php?page=webhooks-new');
    expect(add.status).to.equal(200);
    expect(add.text, 'the event it registered before failing is gone').not.to.include('bad_plugin_good_event');
    expect(host.alive).to.equal(true);
    await host.stop();

    markActive(data.dir, 'bad-event-slug');
    host = start();
    url = await host.ready;
    const agent2 = await loginChild(url);
    const dash = await agent2.get('/wp-admin/network/');
    expect(dash.status).to.equal(200);
    expect(dash.text).to.include('The plugin “Bad Event Slug” was deactivated because it failed while starting up: An event slug must be');
    const form = await agent2.get('/wp-admin/network/admin.php?page=webhooks-new');
    expect(form.status).to.equal(200);
    expect(form.text).to.include('user_created').and.not.include('bad_plugin_good_event');
    expect(activeIn(data.dir)).to.deep.equal(['webhooks']);
  });
});

describe('core/plugins: errors in network_admin_menu callbacks (in process)', () => {
  it('deactivates the plugin whose menu callback throws, drops its pages, names it, and serves the admin', async () => {
    const { makeApp, loginAgent } = await import('../../helpers/app.js');
    const hp = await makeApp({ pluginSlugs: ['menu-boom', 'sample'] });
    try {
      await hp.plugins.activate('menu-boom');
      await hp.plugins.activate('sample');
      const agent = await loginAgent(hp);
      const dash = await agent.get('/wp-admin/network/');
      expect(dash.status).to.equal(200);
      expect(dash.text).to.include('The plugin “Menu Boom” was deactivated because it failed while building the admin menu: menu boom');
      expect(dash.text).not.to.include('page=menu-boom');
      expect(dash.text, 'the other plugin’s menu is built').to.include('page=sample');
      expect(hp.plugins.isActive('menu-boom')).to.equal(false);
      expect((await agent.get('/wp-admin/network/admin.php?page=menu-boom')).status).to.equal(404);
    } finally {
      await hp.close();
    }
  });
});
