import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import type { HookpressApp } from '../../core/app.js';
import { MAX_PLAIN_KEY_LENGTH, storedRateLimitKey } from '../../core/auth/rate-limit-store.js';
import { firstPassOnly, loginAgent, makeApp } from '../helpers/app.js';
import { freshDatabaseUrl, TEST_DATABASE_URL } from '../helpers/backends.js';
import { basic } from '../helpers/rest.js';

const ME = '/wp-json/test/v1/me';
const LONG = 'x'.repeat(12_000);

/** Raw Basic header of arbitrary bytes (a NUL inside), as `printf 'bo\0b:x' | base64` makes it. */
const rawBasic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

/**
 * Credentials and search terms no account or row can hold (NUL, 12,000 characters) answer as
 * on SQLite on both backends: failed credentials (200 form / 401, then 429), searches without
 * the NUL — never a 500 from PostgreSQL (22021 invalid byte sequence, 54000 index row too big).
 */
for (const backend of TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite']) {
  describe(`untrusted credentials and search terms on ${backend}`, function () {
    firstPassOnly();
    this.timeout(30_000);
    let hp: HookpressApp;
    const open = async (limits = { perIp: 100, perAccount: 3, windowMs: 60_000 }) => {
      const db = backend === 'postgres' ? { databaseUrl: await freshDatabaseUrl(), dataDir: path.join('/nonexistent', 'hookpress-pg-test') } : {};
      hp = await makeApp({ ...db, loginAttempts: limits, trustProxy: 'loopback' });
      hp.host.rest.register_rest_route('test/v1', '/me', { methods: 'GET', permission_callback: (req) => req.auth.can('manage_network'), callback: () => ({ ok: true }) });
      return hp;
    };
    afterEach(async () => {
      await hp?.close();
    });
    const keys = async () => (await hp.query.db.selectFrom('rate_limits').select(['key', 'hits']).execute()).map((r) => ({ key: r.key, hits: Number(r.hits) }));

    it('a login name with a NUL or of 12,000 characters is a failed login (the form again), counted until 429', async () => {
      await open();
      for (const log of ['ad\0min', LONG]) {
        const res = await request(hp.app).post('/wp-login.php').type('form').send({ log, pwd: 'x' });
        expect(res.status, JSON.stringify(log.slice(0, 10))).to.equal(200);
        expect(res.text).to.include('Unknown username or incorrect password.');
      }
      for (let i = 0; i < 2; i++) await request(hp.app).post('/wp-login.php').type('form').send({ log: LONG, pwd: 'x' });
      const fourth = await request(hp.app).post('/wp-login.php').type('form').send({ log: LONG, pwd: 'x' });
      expect(fourth.status, 'the fourth failure of one name (perAccount 3)').to.equal(429);
      for (const { key } of await keys()) expect(key.length).to.be.at.most(MAX_PLAIN_KEY_LENGTH + 80).and.not.match(/\0/);
    });

    it('REST Basic credentials and api_key parameters with a NUL or of 12,000 characters are 401, then 429', async () => {
      await open();
      expect((await request(hp.app).get(ME).set('Authorization', rawBasic('bo\0b:x'))).status).to.equal(401);
      expect((await request(hp.app).get(`${ME}?api_key=a%00b&api_secret=x`)).status).to.equal(401);
      expect((await request(hp.app).get(ME).query({ api_key: 'k'.repeat(12_000), api_secret: 'x' })).status).to.equal(401);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await request(hp.app).get(ME).set('X-Forwarded-For', `203.0.113.${i}`).set('Authorization', basic(LONG, 'x'))).status);
      expect(statuses).to.deep.equal([401, 401, 401, 429]);
      for (const { key } of await keys()) expect(key.length).to.be.at.most(MAX_PLAIN_KEY_LENGTH + 80).and.not.match(/\0/);
    });

    it('a session cookie with a NUL (percent-encoded) is no session: the login form, the admin redirects to it', async () => {
      await open();
      const cookie = 'hookpress_session=s%3Aab%00cd.e%00f';
      expect((await request(hp.app).get('/wp-login.php').set('Cookie', cookie)).status).to.equal(200);
      const admin = await request(hp.app).get('/wp-admin/network/').set('Cookie', cookie);
      expect(admin.status).to.equal(302);
      expect((await request(hp.app).get(`${ME}?_wpnonce=a%00b`).set('Cookie', cookie)).status).to.equal(401);
    });

    it('an application password named with a NUL (REST) is created under the name without it', async () => {
      await open();
      hp.host.apiKey.setEnabled(true);
      const { key, secret } = await hp.host.apiKey.current();
      const res = await request(hp.app).post('/wp-json/wp/v2/users/1/application-passwords').set('Authorization', basic(key, secret)).send({ name: 'my\0app', app_id: 'a\0b' });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect([res.body.name, res.body.app_id]).to.deep.equal(['myapp', 'ab']);
    });

    it('users.php?s=%00 and sites.php?s=%00 search without the NUL', async () => {
      await open();
      const agent = await loginAgent(hp);
      for (const screen of ['users.php', 'sites.php']) {
        const res = await agent.get(`/wp-admin/network/${screen}?s=%00`);
        expect(res.status, screen).to.equal(200);
        const typed = await agent.get(`/wp-admin/network/${screen}?s=ad%00min`);
        expect(typed.status, screen).to.equal(200);
        expect(typed.text, `${screen}: the typed search, without its NUL`).to.include('value="admin"');
      }
      expect((await agent.get('/wp-admin/network/users.php?s=ad%00min')).text).to.include('admin@localhost.localdomain');
    });

    it('REST failures through an account’s email and its username (any case) share one counter', async () => {
      await open({ perIp: 100, perAccount: 2, windowMs: 60_000 });
      const at = (ip: string, user: string) => request(hp.app).get(ME).set('X-Forwarded-For', ip).set('Authorization', basic(user, 'wrong'));
      expect((await at('203.0.113.1', 'admin')).status).to.equal(401);
      expect((await at('203.0.113.2', 'ADMIN@localhost.localdomain')).status).to.equal(401);
      expect((await at('203.0.113.3', 'Admin')).status, 'the account’s third failure').to.equal(429);
      expect((await at('203.0.113.4', 'admin@LOCALHOST.localdomain')).status).to.equal(429);
      expect((await at('203.0.113.5', 'nobody')).status, 'another name has its own counter').to.equal(401);
    });
  });
}

describe('storedRateLimitKey', () => {
  it('keeps short plain keys; hashes long ones and ones with control characters, prefix kept', () => {
    expect(storedRateLimitKey('login-ip:', '203.0.113.9')).to.equal('login-ip:203.0.113.9');
    const long = storedRateLimitKey('rest-identity:', LONG);
    expect(long).to.match(/^rest-identity:sha256:[0-9a-f]{64}$/);
    expect(storedRateLimitKey('rest-identity:', LONG)).to.equal(long);
    expect(storedRateLimitKey('rest-identity:', `${LONG}y`)).to.not.equal(long);
    expect(storedRateLimitKey('x:', 'a\0b')).to.match(/^x:sha256:[0-9a-f]{64}$/);
    expect(storedRateLimitKey('x:', 'a'.repeat(MAX_PLAIN_KEY_LENGTH - 2))).to.equal(`x:${'a'.repeat(MAX_PLAIN_KEY_LENGTH - 2)}`);
    expect(storedRateLimitKey('x:', 'a'.repeat(MAX_PLAIN_KEY_LENGTH - 1))).to.match(/^x:sha256:/);
  });
});
