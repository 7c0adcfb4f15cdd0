import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { createPluginApi } from '../../../core/plugins/plugin-api.js';
import type { PluginApi, PluginModule } from '../../../core/plugin-sdk.js';
import { PluginError, wp_die } from '../../../core/plugin-sdk.js';
import { loginAgent, makeApp } from '../../helpers/app.js';

function apiFor(hp: HookpressApp, slug: string, module: Partial<PluginModule> = {}): PluginApi {
  const manifest = { name: slug, description: 'test', version: '1', author: 'tests' };
  return createPluginApi(hp.host, { slug, dir: '/nowhere', manifest, module: { manifest, ...module } }).api;
}

describe('core/plugins: the plugin API of the SDK', () => {
  let hp: HookpressApp;
  beforeEach(async () => {
    hp = await makeApp({ env: { DEMO_PLUGIN_TOKEN: 'mine', WEBHOOKS_TIMEOUT_MS: '1', SECRET_KEY: 'not yours' } });
  });
  afterEach(() => hp.close());

  describe('api.transaction', () => {
    it('runs fn at once, returns its result and commits', () => {
      const api = apiFor(hp, 'demo-plugin');
      api.db.exec('CREATE TABLE demo_t (v INTEGER)');
      const out = api.transaction(() => {
        api.db.prepare('INSERT INTO demo_t VALUES (1)').run();
        return 'done';
      });
      expect(out).to.equal('done');
      expect(api.db.prepare('SELECT COUNT(*) AS n FROM demo_t').get()).to.deep.equal({ n: 1 });
    });

    it('rolls everything back when fn throws, and rethrows', () => {
      const api = apiFor(hp, 'demo-plugin');
      api.db.exec('CREATE TABLE demo_t (v INTEGER)');
      expect(() =>
        api.transaction(() => {
          api.db.prepare('INSERT INTO demo_t VALUES (1)').run();
          throw new Error('boom');
        }),
      ).to.throw('boom');
      expect(api.db.prepare('SELECT COUNT(*) AS n FROM demo_t').get()).to.deep.equal({ n: 0 });
    });

    it('refuses an async fn with a typed error and rolls back', () => {
      const api = apiFor(hp, 'demo-plugin');
      api.db.exec('CREATE TABLE demo_t (v INTEGER)');
      try {
        api.transaction(async () => {
          api.db.prepare('INSERT INTO demo_t VALUES (1)').run();
        });
        expect.fail('should throw');
      } catch (error) {
        expect(error).to.be.instanceOf(PluginError).with.property('code', 'PLUGIN_ASYNC_TRANSACTION');
      }
      expect(api.db.prepare('SELECT COUNT(*) AS n FROM demo_t').get()).to.deep.equal({ n: 0 });
    });
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
