import { expect } from 'chai';
import request from 'supertest';
import { makeApp } from '../helpers/app.js';
import { basic } from '../helpers/rest.js';
import { configFromEnv } from '../../core/config.js';
import type { HookpressApp } from '../../core/app.js';
import { coreMigrations } from '../../core/db/core-schema.js';
import { migrateSchema } from '../../core/db/schema-migrations.js';
import { RestAuthThrottle } from '../../core/rest/auth.js';
import { forEachBackend } from '../helpers/backends.js';
import { onOneDataDir } from '../helpers/two-hosts.js';

const ME = '/wp-json/test/v1/me';
const PUBLIC = '/wp-json/test/v1/open';

/** A route that needs the network's credentials and a public one, like wu/v2/auth and openapi.json. */
function routes(hp: HookpressApp): void {
  hp.host.rest.register_rest_route('test/v1', '/me', { methods: 'GET', permission_callback: (req) => req.auth.can('manage_network'), callback: () => ({ ok: true }) });
  hp.host.rest.register_rest_route('test/v1', '/open', { methods: 'GET', permission_callback: () => true, callback: () => ({ ok: true }) });
}

describe('REST authentication throttle (finding 4)', () => {
  let hp: HookpressApp;
  afterEach(async () => {
    await hp.close();
  });
  const keyAuth = () => {
    hp.host.apiKey.setEnabled(true);
    const { key, secret } = hp.host.apiKey.get();
    return { key, secret };
  };

  it('after the per-IP failure limit, a correct credential and public routes from that IP still work; wrong ones get 429', async () => {
    hp = await makeApp({ loginAttempts: { perIp: 3, perAccount: 100, windowMs: 60_000 } });
    routes(hp);
    const { key, secret } = keyAuth();
    for (let i = 0; i < 5; i++) await request(hp.app).get(ME).set('Authorization', basic(`nobody${i}`, 'wrong-password'));
    const wrong = await request(hp.app).get(ME).set('Authorization', basic('someone-else', 'wrong'));
    expect(wrong.status).to.equal(429);
    expect(wrong.body.code).to.equal('rest_too_many_attempts');
    expect(wrong.headers['retry-after']).to.match(/^\d+$/);
    const right = await request(hp.app).get(ME).set('Authorization', basic(key, secret));
    expect(right.status).to.equal(200);
    const pub = await request(hp.app).get(PUBLIC);
    expect(pub.status).to.equal(200);
  });

  it('counts failures per credential identity, across addresses (behind a trusted proxy)', async () => {
    hp = await makeApp({ loginAttempts: { perIp: 100, perAccount: 2, windowMs: 60_000 }, trustProxy: 'loopback' });
    routes(hp);
    for (let i = 0; i < 3; i++) await request(hp.app).get(ME).set('X-Forwarded-For', `203.0.113.${i}`).set('Authorization', basic('admin', 'guess'));
    const admin = await request(hp.app).get(ME).set('X-Forwarded-For', '203.0.113.50').set('Authorization', basic('admin', 'guess'));
    expect(admin.status).to.equal(429);
    const other = await request(hp.app).get(ME).set('X-Forwarded-For', '203.0.113.50').set('Authorization', basic('editor', 'guess'));
    expect(other.status).to.equal(401);
  });

  it('TRUST_PROXY makes the per-IP limit use the client address the proxy forwards', async () => {
    expect(configFromEnv({ TRUST_PROXY: 'loopback' }).trustProxy).to.equal('loopback');
    expect(configFromEnv({ TRUST_PROXY: '1' }).trustProxy).to.equal(1);
    expect(configFromEnv({ TRUST_PROXY: 'true' }).trustProxy).to.equal(true);
    expect(configFromEnv({}).trustProxy).to.equal(false);
    hp = await makeApp({ loginAttempts: { perIp: 2, perAccount: 100, windowMs: 60_000 }, trustProxy: 'loopback' });
    routes(hp);
    for (let i = 0; i < 3; i++) await request(hp.app).get(ME).set('X-Forwarded-For', '198.51.100.7').set('Authorization', basic(`u${i}`, 'x'));
    expect((await request(hp.app).get(ME).set('X-Forwarded-For', '198.51.100.7').set('Authorization', basic('v', 'x'))).status).to.equal(429);
    expect((await request(hp.app).get(ME).set('X-Forwarded-For', '198.51.100.8').set('Authorization', basic('v', 'x'))).status).to.equal(401);
  });
});

forEachBackend('REST authentication throttle across processes', (backend) => {
  it('two processes on one database count the same failures: the limit holds whichever process a client reaches', async () => {
    let now = 1_795_824_000_000;
    const first = await backend.open();
    await migrateSchema(first.layer, 'core', coreMigrations);
    const second = await backend.openAgain();
    const limits = { perIp: 3, perAccount: 4, windowMs: 60_000 };
    const a = new RestAuthThrottle(limits, first.layer.db, () => now);
    const b = new RestAuthThrottle(limits, second.layer.db, () => now);
    expect(await a.failed('203.0.113.9', 'admin')).to.equal(undefined);
    expect(await b.failed('203.0.113.9', 'Admin ')).to.equal(undefined);
    expect(await a.failed('203.0.113.9', 'admin')).to.equal(undefined);
    now += 15_000;
    expect(await b.failed('203.0.113.9', 'someone'), 'the 4th failure from the address, through the other process').to.equal(45);
    expect(await a.failed('198.51.100.1', 'ADMIN'), "the identity's 4th: under its limit of 4").to.equal(undefined);
    expect(await b.failed('198.51.100.2', 'admin'), "the identity's 5th, from another address").to.equal(45);
    now += 45_000;
    expect(await a.failed('203.0.113.9', 'other'), 'a new window').to.equal(undefined);
  });
});

describe('REST authentication throttle: two hosts on one SQLite DATA_DIR', () => {
  it('failures through one host count on the other', () =>
    onOneDataDir(
      (dir) => makeApp({ ...dir, loginAttempts: { perIp: 2, perAccount: 100, windowMs: 60_000 } }),
      (hp) => hp.close(),
      async (a, b) => {
        routes(a);
        routes(b);
        expect((await request(a.app).get(ME).set('Authorization', basic('nobody1', 'wrong'))).status).to.equal(401);
        expect((await request(a.app).get(ME).set('Authorization', basic('nobody2', 'wrong'))).status).to.equal(401);
        const third = await request(b.app).get(ME).set('Authorization', basic('nobody3', 'wrong'));
        expect(third.status, 'the third failure, through the other host').to.equal(429);
      },
    ));
});
