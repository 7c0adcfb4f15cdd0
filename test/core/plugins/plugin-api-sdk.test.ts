import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { createPluginApi } from '../../../core/plugins/plugin-api.js';
import type { PluginApi, PluginModule } from '../../../core/plugin-sdk.js';
import { PluginError, wp_die } from '../../../core/plugin-sdk.js';
import { HOST_BACKEND, loginAgent, makeApp, sqliteHostOnly } from '../../helpers/app.js';

function apiFor(hp: HookpressApp, slug: string, module: Partial<PluginModule> = {}): PluginApi {
  const manifest = { name: slug, description: 'test', version: '1', author: 'tests' };
  return createPluginApi(hp.host, { slug, dir: '/nowhere', manifest, module: { manifest, ...module } }).api;
}

/** The error `p` rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => expect.fail('expected a rejection'), (error: unknown) => error);
}

describe('core/plugins: the plugin API of the SDK', () => {
  let hp: HookpressApp;
  beforeEach(async () => {
    hp = await makeApp({ env: { DEMO_PLUGIN_TOKEN: 'mine', WEBHOOKS_TIMEOUT_MS: '1', SECRET_KEY: 'not yours' } });
  });
  afterEach(() => hp.close());

  describe('api.transaction (Kysely)', () => {
    const count = async (api: PluginApi) => Number((await api.db.selectFrom('demo_t').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    it('runs fn in a transaction on api.db, resolves to its result and commits', async () => {
      const api = apiFor(hp, 'demo-plugin');
      await api.db.schema.createTable('demo_t').addColumn('v', 'integer').execute();
      const out = await api.transaction(async (trx) => {
        await trx.insertInto('demo_t').values({ v: 1 }).execute();
        return 'done';
      });
      expect(out).to.equal('done');
      expect(await count(api)).to.equal(1);
    });

    it('rolls everything back when fn throws, and rethrows', async () => {
      const api = apiFor(hp, 'demo-plugin');
      await api.db.schema.createTable('demo_t').addColumn('v', 'integer').execute();
      const failed = api.transaction(async (trx) => {
        await trx.insertInto('demo_t').values({ v: 1 }).execute();
        throw new Error('boom');
      });
      expect(await rejection(failed)).to.have.property('message', 'boom');
      expect(await count(api)).to.equal(0);
    });

    describe('the deprecated api.sqlite handle', () => {
      sqliteHostOnly('api.sqlite is the synchronous SQLite handle; a host on PostgreSQL refuses it (PLUGIN_NO_SQLITE, tested below)');

      it('the deprecated api.sqlite handle writing inside the callback joins the transaction (rolled back with it)', async () => {
        const api = apiFor(hp, 'demo-plugin');
        api.sqlite.exec('CREATE TABLE demo_t (v INTEGER)');
        const failed = api.db.transaction().execute(async (trx) => {
          await trx.insertInto('demo_t').values({ v: 1 }).execute();
          api.sqlite.prepare('INSERT INTO demo_t VALUES (2)').run();
          throw new Error('boom');
        });
        expect(await rejection(failed)).to.have.property('message', 'boom');
        expect(api.sqlite.prepare('SELECT COUNT(*) AS n FROM demo_t').get()).to.deep.equal({ n: 0 });
        expect(api.dialect).to.equal('sqlite');
      });
    });
  });

  it('api.sqlite, the deprecated synchronous handle, is refused with PLUGIN_NO_SQLITE on a host on PostgreSQL', () => {
    const manifest = { name: 'pg', description: 'test', version: '1', author: 'tests' };
    const pgHost = { ...hp.host, query: { ...hp.host.query, dialect: 'postgres' as const } };
    const { api } = createPluginApi(pgHost, { slug: 'on-pg', dir: '/nowhere', manifest, module: { manifest } });
    expect(api.dialect).to.equal('postgres');
    expect(() => api.sqlite).to.throw(PluginError, 'this host runs on PostgreSQL: use api.db (Kysely)').with.property('code', 'PLUGIN_NO_SQLITE');
    // The host itself: SQLite hands the handle out, PostgreSQL refuses it the same way.
    if (HOST_BACKEND === 'sqlite') expect(apiFor(hp, 'on-sqlite').sqlite.prepare('SELECT 1 AS one').get()).to.deep.equal({ one: 1 });
    else expect(() => apiFor(hp, 'on-sqlite').sqlite).to.throw(PluginError, 'this host runs on PostgreSQL').with.property('code', 'PLUGIN_NO_SQLITE');
  });

  it('api.config is an allowlisted view: no admin password, no data dir, only the plugin’s own variables', () => {
    const api = apiFor(hp, 'demo-plugin');
    expect(api.config).to.deep.equal({ host: '127.0.0.1', port: 8080, adminEmail: 'admin@localhost.localdomain', env: { DEMO_PLUGIN_TOKEN: 'mine' } });
    expect(Object.isFrozen(api.config)).to.equal(true);
    expect(apiFor(hp, 'webhooks').config.env).to.deep.equal({ WEBHOOKS_TIMEOUT_MS: '1' });
  });

  it('refuses a public route another plugin registered, naming both plugins', () => {
    const a = apiFor(hp, 'first');
    const b = apiFor(hp, 'second');
    a.routes.get('/hello', (_req, res) => res.send('a'));
    expect(() => b.routes.get('/hello', (_req, res) => res.send('b'))).to.throw(PluginError, 'Plugin "second" cannot add the route GET /hello: plugin "first" already registered it.');
    b.routes.post('/hello', (_req, res) => res.send('b'));
    a.routes.get('/hello', (_req, res) => res.send('a2'));
  });

  it('hook warnings are logged with the hook and the plugin that added the callback', () => {
    const logged: Array<[Record<string, unknown>, string]> = [];
    hp.host.logger.warn = ((obj: Record<string, unknown>, msg: string) => void logged.push([obj, msg])) as never;
    const api = apiFor(hp, 'careless');
    api.hooks.add_filter('the_content', async (c: string) => c);
    hp.hooks.apply_filters('the_content', 'x');
    expect(logged).to.have.length(1);
    expect(logged[0]![0]).to.deep.equal({ code: 'HOOK_PROMISE_IN_SYNC', hook: 'the_content', plugin: 'careless' });
  });

  it('wp_die renders WordPress’s error page with the status and the escaped message', async () => {
    const api = apiFor(hp, 'dier');
    api.routes.get('/die', () => wp_die('You <b>cannot</b> do that.', 403));
    api.routes.get('/die-title', () => wp_die('Gone.', 'Too late', { response: 410 }));
    api.routes.get('/die-default', () => wp_die('Broken.'));
    const agent = await loginAgent(hp);
    const res = await agent.get('/die');
    expect(res.status).to.equal(403);
    expect(res.text).to.include('<h1>Forbidden</h1>').and.include('You &lt;b&gt;cannot&lt;/b&gt; do that.');
    const titled = await agent.get('/die-title');
    expect(titled.status).to.equal(410);
    expect(titled.text).to.include('<h1>Too late</h1>');
    expect((await agent.get('/die-default')).status).to.equal(500);
  });
});
