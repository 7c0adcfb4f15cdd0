import { expect } from 'chai';
import request from 'supertest';
import { FaultInjector } from '../../core/db/fault-injection.js';
import { makeApp, sqliteHostOnly } from '../helpers/app.js';
import type { HookpressApp } from '../../core/app.js';

describe('core: /healthz for a load balancer', () => {
  let hp: HookpressApp;
  let faults: FaultInjector;
  beforeEach(async () => {
    faults = new FaultInjector();
    hp = await makeApp({ faults, loginAttempts: { perIp: 3, perAccount: 3, windowMs: 60_000 } });
  });
  afterEach(async () => {
    faults.clear();
    await hp.close();
  });

  it('answers 200 JSON while the database answers a query: no auth, no session cookie, never cached', async () => {
    const res = await request(hp.app).get('/healthz');
    expect(res.status).to.equal(200);
    expect(res.type).to.equal('application/json');
    expect(res.body).to.deep.equal({ status: 'ok', database: 'ok' });
    expect(res.headers['set-cookie'], 'no session is created').to.equal(undefined);
    expect(res.headers['cache-control']).to.equal('no-store');
    expect((await request(hp.app).head('/healthz')).status).to.equal(200);
  });

  describe('storage faults', () => {
    sqliteHostOnly('SQLite fault injection (config.faults); on PostgreSQL the database cut off through a relay is tested in test/core/postgres-host.test.ts');

    it('answers 503 with Retry-After while the storage fails, and 200 again once it clears', async () => {
      faults.fail('SQLITE_IOERR');
      const down = await request(hp.app).get('/healthz');
      expect(down.status).to.equal(503);
      expect(down.headers['retry-after']).to.equal('5');
      expect(down.body).to.deep.equal({ status: 'unavailable', database: 'SQLITE_IOERR' });
      expect(down.headers['set-cookie']).to.equal(undefined);
      faults.fail('SQLITE_CORRUPT');
      const corrupt = await request(hp.app).get('/healthz');
      expect([corrupt.status, corrupt.headers['retry-after']]).to.deep.equal([503, '60']);
      faults.clear();
      expect((await request(hp.app).get('/healthz')).status).to.equal(200);
    });
  });

  it('is not rate limited: a balancer polling it far past every throttle still gets 200', async () => {
    // The login throttle of this host allows 3 attempts a minute per address; a balancer polls far more.
    for (let i = 0; i < 4; i++) await request(hp.app).post('/wp-login.php').type('form').send({ log: 'admin', pwd: 'wrong' });
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) statuses.add((await request(hp.app).get('/healthz')).status);
    expect([...statuses]).to.deep.equal([200]);
  });
});
