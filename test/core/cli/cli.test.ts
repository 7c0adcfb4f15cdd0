import { expect } from 'chai';
import pg from 'pg';
import { hookpress, tempDataDir, type CliRun } from '../../helpers/cli.js';
import { firstPassOnly, HOST_BACKEND } from '../../helpers/app.js';
import { freshDatabaseUrl } from '../../helpers/backends.js';
import { Receiver } from '../../helpers/receiver.js';

describe('hookpress CLI (child process)', function () {
  this.timeout(60_000);
  let data: ReturnType<typeof tempDataDir>;
  before(() => (data = tempDataDir()));
  after(() => data.remove());

  it('lists event types, with WP-CLI formats', async () => {
    const json = await hookpress(['wu', 'event', 'list', '--format=json', '--fields=slug,name'], { DATA_DIR: data.dir });
    expect(json.code, json.stderr).to.equal(0);
    const events = JSON.parse(json.stdout) as Array<{ slug: string; name: string }>;
    expect(events.map((e) => e.slug)).to.include('payment_received');
    expect(Object.keys(events[0]!)).to.deep.equal(['slug', 'name']);
  });

  it('errors go to stderr as "Error: …" with exit status 1', async () => {
    const unknown = await hookpress(['wu', 'nope'], { DATA_DIR: data.dir });
    expect(unknown.code).to.equal(1);
    expect(unknown.stdout).to.equal('');
    expect(unknown.stderr).to.match(/^Error: unknown command 'nope'/);
    const field = await hookpress(['wu', 'event', 'list', '--fields=slug,secret'], { DATA_DIR: data.dir });
    expect(field.code).to.equal(1);
    expect(field.stderr).to.equal('Error: Invalid field: secret. Choose from: slug, name, desc, group, source, payload.\n');
  });
});

describe('hookpress wu webhook create/update: the URL and flag checks the admin form and REST make', function () {
  this.timeout(300_000);
  let data: ReturnType<typeof tempDataDir>;
  before(() => (data = tempDataDir()));
  after(() => data.remove());
  const count = async (env: Record<string, string>) => (await hookpress(['wu', 'webhook', 'list', '--format=count'], env)).stdout;

  it('refuses an IP literal in a blocked range (Error, exit 1, nothing saved) unless WEBHOOKS_ALLOW_NETWORKS allows it', async () => {
    const env = { DATA_DIR: data.dir };
    const before = await count(env);
    const refused = await hookpress(['wu', 'webhook', 'create', '--name=Intranet', '--url=http://10.1.2.3/in', '--event=payment_received'], env);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/^Error: url: Webhooks cannot be sent to 10\.1\.2\.3: it is a private address\. /);
    expect(await count(env)).to.equal(before);
    const allowed = await hookpress(['wu', 'webhook', 'create', '--name=Intranet', '--url=http://10.1.2.3/in', '--event=payment_received', '--porcelain'], { ...env, WEBHOOKS_ALLOW_NETWORKS: '10.0.0.0/8' });
    expect(allowed.code, allowed.stderr).to.equal(0);
    const id = allowed.stdout.trim();
    const update = await hookpress(['wu', 'webhook', 'update', id, '--url=http://[::ffff:10.0.0.1]/in'], env);
    expect(update.code).to.equal(1);
    expect(update.stderr).to.include('Error: url: Webhooks cannot be sent to [::ffff:10.0.0.1]: it is');
    expect(JSON.parse((await hookpress(['wu', 'webhook', 'get', id, '--format=json'], env)).stdout).webhook_url).to.equal('http://10.1.2.3/in');
  });

  it('saves a host name that resolves to a blocked range, with the admin’s warning as "Warning: …"', async () => {
    const env = { DATA_DIR: data.dir };
    const saved = await hookpress(['wu', 'webhook', 'create', '--name=Local name', '--url=http://localhost:9/in', '--event=payment_received'], env);
    expect(saved.code, saved.stderr).to.equal(0);
    expect(saved.stdout).to.match(/^Success: Created webhook \d+\.\n$/);
    expect(saved.stderr).to.match(/^Warning: The webhook was saved, but localhost resolves to \S+, which is a loopback address/m);
  });

  it('--active and --hidden take true or false: anything else is an error, never a silent false', async () => {
    const env = { DATA_DIR: data.dir };
    const before = await count(env);
    const typo = await hookpress(['wu', 'webhook', 'create', '--name=Typo', '--url=https://example.com/in', '--event=payment_received', '--active=ture'], env);
    expect([typo.code, typo.stderr]).to.deep.equal([1, 'Error: --active must be true or false; got "ture".\n']);
    expect(await count(env)).to.equal(before);
    const maybe = await hookpress(['wu', 'webhook', 'update', '1', '--hidden=maybe'], env);
    expect([maybe.code, maybe.stderr]).to.deep.equal([1, 'Error: --hidden must be true or false; got "maybe".\n']);
  });
});

describe('hookpress CLI commands on DATA_DIR, while a server runs on it', function () {
  firstPassOnly();
  this.timeout(120_000);
  it('webhook create/list/get/update/test/delete, delivery list/get, application passwords, api-key', async () => {
    const { createApp } = await import('../../../core/app.js');
    const { default: request } = await import('supertest');
    const { Receiver } = await import('../../helpers/receiver.js');
    const data = tempDataDir();
    const receiver = new Receiver();
    await receiver.start();
    const server = await createApp({ dataDir: data.dir, logLevel: 'silent', passwordCost: 1024, adminPassword: 'cli-admin-password', runScheduler: false, plugins: { webhooks: { autoStart: false } } });
    const env = { DATA_DIR: data.dir, WEBHOOKS_ALLOW_NETWORKS: '127.0.0.0/8' };
    try {
      const created = await hookpress(['wu', 'webhook', 'create', '--name=CLI hook', `--url=${receiver.url}/in`, '--event=payment_received', '--header=Authorization: Bearer abc123', '--porcelain'], env);
      expect(created.code, created.stderr).to.equal(0);
      const id = Number(created.stdout.trim());
      expect(id).to.be.greaterThan(0);

      // The running server sees it at once (same SQLite file, WAL).
      server.host.apiKey.setEnabled(true);
      const { key, secret } = server.host.apiKey.get();
      const viaApi = await request(server.app).get(`/wp-json/wu/v2/webhook/${id}`).auth(key, secret);
      expect(viaApi.body.name).to.equal('CLI hook');

      const list = await hookpress(['wu', 'webhook', 'list', '--format=csv', '--fields=id,name,integration'], env);
      expect(list.stdout).to.equal(`id,name,integration\n${id},CLI hook,manual\n`);
      const ids = await hookpress(['wu', 'webhook', 'list', '--format=ids'], env);
      expect(ids.stdout).to.equal(`${id}\n`);
      const get = await hookpress(['wu', 'webhook', 'get', String(id), '--format=json'], env);
      const obj = JSON.parse(get.stdout);
      expect(obj.headers).to.deep.equal([{ name: 'Authorization', value: '••••' }]); // 13 characters: fully masked
      expect(get.stdout).not.to.include('whsec_');
      const update = await hookpress(['wu', 'webhook', 'update', String(id), '--name=Renamed'], env);
      expect(update.stdout).to.equal(`Success: Updated webhook ${id}.\n`);
      const bad = await hookpress(['wu', 'webhook', 'update', String(id), '--name=R'], env);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.match(/^Error: name: Give the webhook a name of at least 2 characters/);
      const test = await hookpress(['wu', 'webhook', 'test', String(id)], env);
      expect(test.code, test.stderr).to.equal(0);
      expect(test.stdout).to.match(/^Success: The endpoint answered HTTP 200/);
      expect(receiver.requests.at(-1)!.headers.authorization).to.equal('Bearer abc123');
      const deliveries = await hookpress(['wu', 'delivery', 'list', `--webhook=${id}`, '--format=json'], env);
      const [d] = JSON.parse(deliveries.stdout);
      expect(d).to.include({ webhook_id: id, status: 'succeeded' });
      const detail = await hookpress(['wu', 'delivery', 'get', String(d.id), '--field=attempts'], env);
      expect(JSON.parse(detail.stdout)).to.have.length(1);
      const missing = await hookpress(['wu', 'webhook', 'get', '9999'], env);
      expect([missing.code, missing.stderr]).to.deep.equal([1, 'Error: There is no webhook with id 9999.\n']);

      const pass = await hookpress(['user', 'application-password', 'create', 'admin', 'Zapier', '--porcelain'], env);
      const password = pass.stdout.trim();
      expect(password).to.match(/^[A-Za-z0-9]{24}$/);
      const asAdmin = await request(server.app).get('/wp-json/wu/v2/auth').auth('admin', password);
      expect(asAdmin.status).to.equal(200);
      const aps = JSON.parse((await hookpress(['user', 'application-password', 'list', 'admin', '--format=json'], env)).stdout);
      expect(aps[0]).to.include({ name: 'Zapier' });
      expect(aps[0].last_used).to.be.a('string');
      await hookpress(['user', 'application-password', 'delete', 'admin', aps[0].uuid], env);
      expect((await request(server.app).get('/wp-json/wu/v2/auth').auth('admin', password)).status).to.equal(401);

      const shown = JSON.parse((await hookpress(['api-key', 'show', '--format=json'], env)).stdout);
      expect(shown).to.deep.equal({ key, secret, enabled: true });
      const regen = (await hookpress(['api-key', 'regenerate', '--porcelain'], env)).stdout.trim().split(' ');
      expect((await request(server.app).get('/wp-json/wu/v2/auth').auth(key, secret)).status).to.equal(401);
      expect((await request(server.app).get('/wp-json/wu/v2/auth').auth(regen[0]!, regen[1]!)).status).to.equal(200);

      const del = await hookpress(['wu', 'webhook', 'delete', String(id)], env);
      expect(del.stdout).to.equal(`Success: Deleted webhook ${id}.\n`);
      expect((await hookpress(['wu', 'webhook', 'list', '--format=count'], env)).stdout).to.equal('0\n');
    } finally {
      await server.close();
      await receiver.close();
      data.remove();
    }
  });
});

describe('hookpress CLI on PostgreSQL (DATABASE_URL)', function () {
  this.timeout(120_000);
  before(function () {
    // The PostgreSQL pass of npm test (the SQLite pass runs the commands above on DATA_DIR).
    if (HOST_BACKEND !== 'postgres') this.skip();
  });

  it('exits with nothing on stderr but its own lines while other processes write (no query after its pool closed: "driver has already been destroyed")', async () => {
    const receiver = new Receiver();
    await receiver.start();
    const url = await freshDatabaseUrl();
    // LOG_LEVEL warn, the CLI's default: a late query is logged at warn.
    const env = { DATABASE_URL: url, LOG_LEVEL: 'warn', WEBHOOKS_ALLOW_NETWORKS: '127.0.0.0/8' };
    // What a running server does to a CLI beside it: its writes notify every process, and each
    // notification starts a cache refresh in the CLI — also while the CLI is closing.
    const server = new pg.Client({ connectionString: url });
    await server.connect();
    let sending = false;
    const notifying = setInterval(() => {
      if (sending) return; // one query at a time on this client
      sending = true;
      void server
        .query(`SELECT pg_notify('hookpress_cache', 'site_options'), pg_notify('hookpress_cache', 'users')`)
        .catch(() => undefined)
        .finally(() => (sending = false));
    }, 25);
    try {
      const runs: CliRun[] = [];
      const run = async (args: string[]) => {
        const r = await hookpress(args, env);
        runs.push(r);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(0);
        return r;
      };
      const id = (await run(['wu', 'webhook', 'create', '--name=On PostgreSQL', `--url=${receiver.url}/in`, '--event=payment_received', '--porcelain'])).stdout.trim();
      expect((await run(['wu', 'webhook', 'list', '--format=ids'])).stdout).to.equal(`${id}\n`);
      expect((await run(['wu', 'webhook', 'test', id])).stdout).to.match(/^Success: The endpoint answered HTTP 200/);
      await run(['api-key', 'enable']);
      const failed = await hookpress(['wu', 'webhook', 'get', '9999'], env);
      expect([failed.code, failed.stderr]).to.deep.equal([1, 'Error: There is no webhook with id 9999.\n']);
      for (const r of runs) expect(r.stderr).to.equal('');
    } finally {
      clearInterval(notifying);
      await server.end();
      await receiver.close();
    }
  });
});
