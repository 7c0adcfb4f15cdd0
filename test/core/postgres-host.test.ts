import path from 'node:path';
import { expect } from 'chai';
import { sql } from 'kysely';
import pg from 'pg';
import request from 'supertest';
import { configFromEnv } from '../../core/config.js';
import { pluginsFolder } from '../helpers/child-host.js';
import type { HookpressApp } from '../../core/app.js';
import { adminAgent, ADMIN_PASSWORD, nonceIn, nonceNear } from '../../core/testing/admin-agent.js';
import { firstPassOnly, loginAgent, makeApp } from '../helpers/app.js';
import { freshDatabaseUrl, rows, TEST_DATABASE_URL } from '../helpers/backends.js';
import { relayTo } from '../helpers/pg-relay.js';
import { START_LOCK_KEY } from '../../core/db/start-lock.js';

/** Resolves when `event` happens, rejects after `ms` (a deadline, not a sleep). */
function within<T>(ms: number, what: string, event: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([event, deadline]).finally(() => clearTimeout(timer));
}


(TEST_DATABASE_URL ? describe : describe.skip)('core: the host on PostgreSQL (DATABASE_URL)', function () {
  firstPassOnly();
  this.timeout(30_000);
  const opened: HookpressApp[] = [];
  // The real memberships plugin beside a fixture still on api.sqlite.
  const plugins = pluginsFolder(['memberships'], ['sqlite-only']);
  after(() => plugins.remove());
  const pgApp = async (databaseUrl: string, overrides: Parameters<typeof makeApp>[0] = {}) => {
    const hp = await makeApp({ databaseUrl, dataDir: path.join('/nonexistent', 'hookpress-pg-test'), ...overrides });
    opened.push(hp);
    return hp;
  };
  afterEach(async () => {
    for (const hp of opened.splice(0).reverse()) await hp.close();
  });

  it('starts with memberships (a plugin needing api.sqlite skipped, logged), logs in, saves a network option, adds a user and a site: rows in PostgreSQL', async () => {
    const url = await freshDatabaseUrl();
    const logs: string[] = [];
    const logDestination = { write: (line: string) => void logs.push(line) } as unknown as NodeJS.WritableStream;
    const hp = await pgApp(url, { pluginsDir: plugins.dir, pluginSlugs: ['memberships', 'sqlite-only'], logLevel: 'error', logDestination });
    expect(hp.query.dialect).to.equal('postgres');
    expect(hp.plugins.isActive('memberships') && hp.plugins.apiOf('memberships') !== undefined, 'memberships loaded').to.equal(true);
    // A plugin that still needs api.sqlite (as webhooks did): not loaded, left active, one clear log line naming it.
    expect(hp.plugins.apiOf('sqlite-only')).to.equal(undefined);
    expect(hp.plugins.isActive('sqlite-only')).to.equal(true);
    expect(hp.plugins.list().find((p) => p.slug === 'sqlite-only')?.error).to.match(/needs SQLite/);
    const line = logs.map((l) => JSON.parse(l) as { plugin?: string; code?: string; msg: string }).find((l) => l.plugin === 'sqlite-only');
    expect(line?.code).to.equal('PLUGIN_NO_SQLITE');
    expect(line?.msg).to.match(/plugin sqlite-only not loaded: it needs SQLite/);
    // The memberships daily jobs were scheduled through the synchronous cron API, into the database.
    const cron = await rows<{ hook: string }>(url, 'SELECT hook FROM cron_events ORDER BY hook');
    expect(cron.map((r) => r.hook)).to.deep.equal(['memberships_create_renewal_payments', 'memberships_expire_memberships']);

    const admin = adminAgent(await loginAgent(hp));
    expect((await admin.page('/wp-admin/network/')).text).to.include('Right Now');
    const saved = await admin.submit('/wp-admin/network/settings.php', { site_name: 'Scaled Network', admin_email: 'ops@example.com' });
    expect(saved.status).to.equal(303);
    // Answered only once the write was committed (the unit of work): the row is there now.
    expect(await rows(url, "SELECT value FROM site_options WHERE name = 'site_name'")).to.deep.equal([{ value: '"Scaled Network"' }]);

    const added = await admin.submit('/wp-admin/network/user-new.php', { user_login: 'carol', email: 'carol@example.com', display_name: 'Carol', pass1: 'a long enough password' });
    expect(added.status).to.equal(303);
    expect((await admin.follow(added)).text).to.include('User carol added.');
    expect(await rows(url, "SELECT login, email FROM users WHERE login = 'carol'")).to.deep.equal([{ login: 'carol', email: 'carol@example.com' }]);
    const list = await admin.page('/wp-admin/network/users.php');
    expect(list.text).to.include('carol').and.to.include('Super Admin');

    const site = await admin.submit('/wp-admin/network/site-new.php', { slug: 'shop', title: 'Shop', admin_email: 'shop@example.com' });
    expect(site.status).to.equal(303);
    expect(await rows(url, "SELECT slug, title FROM sites WHERE slug = 'shop'")).to.deep.equal([{ slug: 'shop', title: 'Shop' }]);
    expect((await admin.page('/wp-admin/network/sites.php')).text).to.include('Shop');

    // Application passwords (profile) and the API key screen.
    const created = await admin.submit('/wp-admin/network/profile.php', { action: 'create-application-password', new_application_password_name: 'CI' }, { marker: 'create-application-password' });
    expect(created.status).to.equal(200);
    expect(await rows(url, "SELECT name FROM application_passwords")).to.deep.equal([{ name: 'CI' }]);
    expect((await admin.page('/wp-admin/network/settings-api.php')).status).to.equal(200);
    // The REST API with that application password (authentication and capability checks on PostgreSQL).
    const appPassword = /id="new-application-password-value" class="code" readonly value="([^"]+)"/.exec(created.text)![1]!;
    const listed = await request(hp.app).get('/wp-json/wp/v2/users/me/application-passwords').auth('admin', appPassword);
    expect([listed.status, listed.body.map((p: { name: string }) => p.name)]).to.deep.equal([200, ['CI']]);

    // Users: grant, then delete (bulk actions); Sites: delete.
    const carolId = (await rows<{ id: number }>(url, "SELECT id FROM users WHERE login = 'carol'"))[0]!.id;
    const granted = await admin.submit('/wp-admin/network/users.php', { action: 'grant_super_admin', 'ids[]': [String(carolId)] }, { marker: 'value="grant_super_admin"' });
    expect((await admin.follow(granted)).text).to.include('carol is now a super admin.');
    expect(await rows(url, "SELECT value FROM site_options WHERE name = 'site_admins'")).to.deep.equal([{ value: '["admin","carol"]' }]);
    const deleted = await admin.submit('/wp-admin/network/users.php', { action: 'delete', confirmed: '1', 'ids[]': [String(carolId)] }, { marker: 'value="grant_super_admin"' });
    expect((await admin.follow(deleted)).text).to.include('User deleted.');
    expect(await rows(url, "SELECT login FROM users ORDER BY id")).to.deep.equal([{ login: 'admin' }]);
    expect(await rows(url, "SELECT value FROM site_options WHERE name = 'site_admins'")).to.deep.equal([{ value: '["admin"]' }]);
    const shopId = (await rows<{ id: number }>(url, "SELECT id FROM sites WHERE slug = 'shop'"))[0]!.id;
    const gone = await admin.submit('/wp-admin/network/sites.php', { action: 'delete', confirmed: '1', 'ids[]': [String(shopId)] }, { marker: 'value="delete"' });
    expect((await admin.follow(gone)).text).to.include('Site deleted.');
    expect(await rows(url, 'SELECT slug FROM sites')).to.deep.equal([{ slug: 'main' }]);
    // A persistent notice (a plugin's api.notices.add_notice): every screen shows it until dismissed.
    const noticeId = await hp.host.notices.addAsync({ type: 'warning', message: 'Check the disk space.' });
    const shown = await admin.page('/wp-admin/network/sites.php');
    expect(shown.text).to.include('Check the disk space.');
    const dismissed = await admin.agent.post('/wp-admin/network/dismiss-notice').type('form').send({ id: noticeId, _wpnonce: nonceNear(shown.text, `value="${noticeId}"`), redirect_to: '/wp-admin/network/' });
    expect(dismissed.status).to.equal(303);
    expect(await rows(url, 'SELECT id FROM admin_notices')).to.deep.equal([]);
    expect((await admin.page('/wp-admin/network/')).text).to.not.include('Check the disk space.');
    // The secret key lives in the database (no DATA_DIR), once.
    expect(await rows(url, 'SELECT count(*)::int AS n FROM host_secrets')).to.deep.equal([{ n: 1 }]);
  });

  it('/healthz: 200 while PostgreSQL answers, 503 with Retry-After while it is unreachable (pages too), 200 again after', async () => {
    const url = await freshDatabaseUrl();
    const relay = await relayTo(new URL(url));
    try {
      const hp = await pgApp(relay.url(url));
      expect((await request(hp.app).get('/healthz')).body).to.deep.equal({ status: 'ok', database: 'ok' });
      const agent = await loginAgent(hp);
      await relay.cut();
      // A page needing the database meanwhile: 503 with Retry-After, not a 500.
      const page = await agent.get('/wp-admin/network/');
      expect([page.status, page.headers['retry-after']]).to.deep.equal([503, '5']);
      expect(page.text).to.include('cannot be reached right now');
      // REST too: 503 with Retry-After (was a 500 rest_internal_error).
      const rest = await request(hp.app).get('/wp-json/wp/v2/users/1/application-passwords').auth('someone', 'xxxx xxxx xxxx xxxx xxxx xxxx');
      expect([rest.status, rest.headers['retry-after'], rest.body.code]).to.deep.equal([503, '5', 'storage_unavailable']);
      const down = await request(hp.app).get('/healthz');
      expect(down.status).to.equal(503);
      expect(down.headers['retry-after']).to.equal('5');
      // A stable code, not the driver's message (which names the host and the user).
      expect(down.body).to.deep.equal({ status: 'unavailable', database: 'PG_UNREACHABLE' });
      await relay.restore();
      expect((await request(hp.app).get('/healthz')).status).to.equal(200);
    } finally {
      await relay.close();
    }
  });

  it('a PostgreSQL that stops answering (connections open, nothing forwarded): pages and REST answer 503 with Retry-After within DB_QUERY_TIMEOUT_MS, and work again once it answers', async () => {
    const url = await freshDatabaseUrl();
    const relay = await relayTo(new URL(url));
    try {
      const hp = await pgApp(relay.url(url), { queryTimeoutMs: 300, connectTimeoutMs: 300 });
      const agent = await loginAgent(hp);
      expect((await agent.get('/wp-admin/network/')).status).to.equal(200);
      relay.freeze();
      // Without the bound both requests would wait forever: the deadline is the test's, 10× the bound.
      const page = await within(3000, 'the admin page', Promise.resolve(agent.get('/wp-admin/network/')));
      expect([page.status, page.headers['retry-after']]).to.deep.equal([503, '5']);
      expect(page.text).to.include('did not answer in time');
      const health = await within(3000, '/healthz', Promise.resolve(request(hp.app).get('/healthz')));
      expect([health.status, health.headers['retry-after'], health.body.database]).to.deep.equal([503, '5', 'PG_TIMEOUT']);
      const rest = await within(3000, 'the REST call', Promise.resolve(request(hp.app).get('/wp-json/wp/v2/users/1/application-passwords').auth('someone', 'xxxx xxxx xxxx xxxx xxxx xxxx')));
      expect([rest.status, rest.headers['retry-after'], rest.body.code]).to.deep.equal([503, '5', 'storage_unavailable']);
      relay.thaw();
      // The connections that timed out were discarded, not handed to the next request.
      expect((await agent.get('/wp-admin/network/')).status).to.equal(200);
      expect((await request(hp.app).get('/healthz')).status).to.equal(200);
    } finally {
      await relay.close();
    }
  });

  it('a table locked by someone else: each request answers 503 at DB_QUERY_TIMEOUT_MS and the server ends its statement too — lock waiters stay within the pool, wave after wave; 200 once the lock is released', async () => {
    const url = await freshDatabaseUrl();
    const hp = await pgApp(url, { queryTimeoutMs: 300 });
    const agent = await loginAgent(hp);
    expect((await agent.get('/wp-admin/network/sites.php')).status).to.equal(200);
    // Another session (psql, a migration by hand) holds the table the page reads and does not let go.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE sites IN ACCESS EXCLUSIVE MODE');
      const lockWaiters = async () =>
        (await holder.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]!.n;
      for (let wave = 1; wave <= 4; wave++) {
        const answers = await within(5000, `wave ${wave}`, Promise.all(Array.from({ length: 10 }, () => Promise.resolve(agent.get('/wp-admin/network/sites.php')))));
        expect(answers.map((a) => [a.status, a.headers['retry-after']]), `wave ${wave}`).to.deep.equal(Array.from({ length: 10 }, () => [503, '5']));
        expect(answers[0]!.text).to.include('did not answer in time');
        // Without the server's own bound every timed-out query went on waiting in its backend and
        // the pool opened another: 10 more waiters per wave, until max_connections ran out.
        expect(await lockWaiters(), `backends waiting on a lock after wave ${wave}`).to.be.at.most(10);
      }
      await holder.query('ROLLBACK');
      expect((await agent.get('/wp-admin/network/sites.php')).status).to.equal(200);
    } finally {
      await holder.end();
    }
  });

  it('the start-up lock held by another process well past DB_QUERY_TIMEOUT_MS: the host waits (the server’s bound lifted for that wait alone), then starts and answers', async () => {
    const url = await freshDatabaseUrl();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [START_LOCK_KEY]);
      const starting = pgApp(url, { queryTimeoutMs: 300 });
      const startedEarly = starting.then(() => Promise.reject(new Error('started while the start-up lock was held')));
      // The host's backend waiting on the advisory lock for 3× the bound, by the server's clock.
      const waitedLong = (async () => {
        const waiting = "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory' AND clock_timestamp() - query_start > interval '900 milliseconds'";
        while ((await holder.query<{ n: number }>(waiting)).rows[0]!.n === 0) await new Promise((resolve) => setImmediate(resolve));
      })();
      await within(10_000, 'the host waiting on the start-up lock', Promise.race([waitedLong, startedEarly]));
      startedEarly.catch(() => undefined);
      await holder.query('SELECT pg_advisory_unlock($1)', [START_LOCK_KEY]);
      const hp = await within(10_000, 'the start once the lock is free', starting);
      expect((await request(hp.app).get('/healthz')).status).to.equal(200);
      // The pool's connections (the one that waited among them, RESET after) have the server's bound.
      const { rows: settings } = await sql<{ s: string; l: string }>`SELECT current_setting('statement_timeout') AS s, current_setting('lock_timeout') AS l`.execute(hp.query.db);
      expect(settings[0]).to.deep.equal({ s: '300ms', l: '300ms' });
    } finally {
      await holder.end();
    }
  });

  it('a value PostgreSQL refuses (an id beyond integer) is a 400 with a reason, on pages and REST — never a 500', async () => {
    const hp = await pgApp(await freshDatabaseUrl());
    try {
      const agent = await loginAgent(hp);
      const page = await agent.get('/wp-admin/network/sites.php?action=edit&id=99999999999');
      expect(page.status).to.equal(400);
      expect(page.text).to.include('out of range or not allowed');
      const nonce = /name="wp_rest_nonce" value="([^"]+)"/.exec((await agent.get('/wp-admin/network/profile.php')).text)?.[1] ?? '';
      const rest = await agent.get('/wp-json/wp/v2/users/99999999999/application-passwords').set('X-WP-Nonce', nonce);
      expect([rest.status, rest.body.code]).to.deep.equal([400, 'rest_invalid_param']);
    } finally {
      await hp.close();
    }
  });

  it('two hosts on one database: one key, an option written through one reaches the other within 1 s, a session works on both', async () => {
    const url = await freshDatabaseUrl();
    const [a, b] = await Promise.all([pgApp(url), pgApp(url)]);
    // Started at once: one main site, one super admin (the start-up lock).
    expect(await rows(url, 'SELECT count(*)::int AS n FROM users')).to.deep.equal([{ n: 1 }]);
    expect(await rows(url, 'SELECT count(*)::int AS n FROM sites')).to.deep.equal([{ n: 1 }]);

    const reloaded = new Promise<void>((resolve) => {
      b.optionsSync.subscribe(() => {
        if (b.host.options.get_site_option('site_name') === 'Renamed via A') resolve();
      });
    });
    const login = await request(a.app).post('/wp-login.php').type('form').send({ log: 'admin', pwd: ADMIN_PASSWORD });
    expect(login.status).to.equal(303);
    const cookie = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    const form = await request(a.app).get('/wp-admin/network/settings.php').set('Cookie', cookie).expect(200);
    const saved = await request(a.app)
      .post('/wp-admin/network/settings.php')
      .set('Cookie', cookie)
      .type('form')
      .send({ _wpnonce: nonceIn(form.text), site_name: 'Renamed via A', admin_email: 'ops@example.com' });
    expect(saved.status).to.equal(303);
    await within(1000, 'the option change reaching host B', reloaded);
    expect(b.host.options.get_site_option('site_name')).to.equal('Renamed via A');

    // A's login cookie is a session B knows (sessions in the database, one secret key).
    const onB = await request(b.app).get('/wp-admin/network/').set('Cookie', cookie);
    expect(onB.status).to.equal(200);
    expect(onB.text).to.include('Renamed via A');
  });

  it('two hosts on one database: Network Activate / Deactivate through A loads / unloads the plugin on B within the sync (example-coupons, memberships)', async () => {
    const url = await freshDatabaseUrl();
    const folder = pluginsFolder(['memberships', 'example-coupons'], []);
    try {
      const options = { pluginsDir: folder.dir, pluginSlugs: ['memberships', 'example-coupons'] };
      const a = await pgApp(url, options);
      const b = await pgApp(url, options);
      /** Resolves once B reloaded the options with `slug` (in)active and has (un)loaded it. */
      const bFollows = (slug: string, active: boolean) =>
        within(
          1000,
          `host B following ${slug}`,
          new Promise<void>((resolve) => {
            const off = b.optionsSync.subscribe(() => {
              if (Object.hasOwn(b.host.options.get_site_option<object>('active_sitewide_plugins', {}), slug) !== active) return;
              off();
              void (b.plugins.pendingSync() ?? Promise.resolve()).then(resolve);
            });
          }),
        );
      const onA = adminAgent(await loginAgent(a));
      const onB = await loginAgent(b);
      expect((await onB.get('/wp-admin/network/admin.php?page=example-coupons')).status).to.equal(404);

      const activated = bFollows('example-coupons', true);
      const res = await onA.submit('/wp-admin/network/plugins.php', { action: 'activate', plugin: 'example-coupons' }, { marker: 'value="example-coupons"' });
      expect(res.status).to.equal(303);
      await activated;
      const coupons = await onB.get('/wp-admin/network/admin.php?page=example-coupons');
      expect(coupons.status).to.equal(200);
      expect(coupons.text).to.include('Coupons');

      // memberships (active by default): its page and public routes answer on B until A deactivates it.
      expect((await onB.get('/wp-admin/network/admin.php?page=memberships-memberships')).status).to.equal(200);
      expect((await request(b.app).get('/memberships/invoice/x')).text).to.include('This link is not valid');
      const deactivated = bFollows('memberships', false);
      const off = await onA.submit('/wp-admin/network/plugins.php', { action: 'deactivate', plugin: 'memberships' }, { marker: 'value="memberships"' });
      expect(off.status).to.equal(303);
      await deactivated;
      expect((await onB.get('/wp-admin/network/admin.php?page=memberships-memberships')).status).to.equal(404);
      const route = await request(b.app).get('/memberships/invoice/x');
      expect(route.status).to.equal(404);
      expect(route.text).to.not.include('This link is not valid');
      expect(b.plugins.apiOf('memberships')).to.equal(undefined);
    } finally {
      folder.remove();
    }
  });
});

describe('core/config: DATABASE_URL', () => {
  firstPassOnly();
  it('selects PostgreSQL with a postgres:// or postgresql:// URL, SQLite when unset or empty, and refuses anything else', () => {
    expect(configFromEnv({ DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/hp' }).databaseUrl).to.equal('postgres://u:p@127.0.0.1:5432/hp');
    expect(configFromEnv({ DATABASE_URL: 'postgresql://127.0.0.1/hp' }).databaseUrl).to.equal('postgresql://127.0.0.1/hp');
    expect(configFromEnv({}).databaseUrl).to.equal(undefined);
    expect(configFromEnv({ DATABASE_URL: ' ' }).databaseUrl).to.equal(undefined);
    expect(() => configFromEnv({ DATABASE_URL: 'mysql://127.0.0.1/hp' })).to.throw(/DATABASE_URL must be a postgres:\/\//);
  });
});
