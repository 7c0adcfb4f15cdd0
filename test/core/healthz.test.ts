import { expect } from 'chai';
import express from 'express';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import request from 'supertest';
import { boundedPool } from '../../core/db/query-timeout.js';
import { checkDatabase, checkQueryLayer, healthzHandler } from '../../core/http/healthz.js';
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

describe('core/http/healthz: what a failed check tells the caller', () => {
  // The driver's words for a refused login or an unreachable server: they name hosts and users.
  const secretive = (code?: string) => Object.assign(new Error('password authentication failed for user "hookpress" at db.internal.example:5432 (SSL on)'), code ? { code } : {});

  /** A Kysely over a stand-in pg pool whose every query fails with `error`. */
  function failingLayer(error: Error): Kysely<any> {
    const client = { query: () => Promise.reject(error), release: () => {} };
    const pool = { connect: () => Promise.resolve(client), end: () => Promise.resolve() } as unknown as pg.Pool;
    return new Kysely<any>({ dialect: new PostgresDialect({ pool: boundedPool(pool, 0, 0) }) });
  }

  it('checkDatabase: a failure that is no storage fault is DB_ERROR, the message kept for the log only', () => {
    const error = secretive();
    const result = checkDatabase({ prepare: () => { throw error; } } as never);
    expect(result).to.deep.equal({ ok: false, reason: 'DB_ERROR', retryAfter: 5, error });
  });

  it('checkQueryLayer: a stable code — PG_UNREACHABLE, PG_TIMEOUT (pg’s read timeout or its own deadline), PG_<SQLSTATE>, else DB_ERROR', async () => {
    const reason = async (error: Error, timeoutMs?: number) => ((await checkQueryLayer(failingLayer(error), timeoutMs)) as { reason: string }).reason;
    expect(await reason(secretive('ECONNREFUSED'))).to.equal('PG_UNREACHABLE');
    expect(await reason(new Error('Query read timeout'))).to.equal('PG_TIMEOUT');
    expect(await reason(Object.assign(secretive('57P03'), { severity: 'FATAL' }))).to.equal('PG_57P03');
    expect(await reason(Object.assign(secretive('28P01'), { severity: 'FATAL' }))).to.equal('DB_ERROR');
    expect(await reason(Object.assign(secretive('22P02'), { severity: 'ERROR' })), 'a refused value is no storage fault: no 400 code here').to.equal('DB_ERROR');
    const silent = new Kysely<any>({ dialect: new PostgresDialect({ pool: { connect: () => new Promise(() => {}), end: () => Promise.resolve() } as unknown as pg.Pool }) });
    expect(((await checkQueryLayer(silent, 20)) as { reason: string }).reason).to.equal('PG_TIMEOUT');
  });

  it('healthzHandler: the 503 body has the code and never the driver’s message, which goes to the log', async () => {
    const logged: object[] = [];
    const error = secretive('ECONNREFUSED');
    const app = express().get('/healthz', healthzHandler(() => ({ ok: false, reason: 'PG_UNREACHABLE', retryAfter: 5, error }), { warn: (obj) => void logged.push(obj) }));
    const res = await request(app).get('/healthz');
    expect([res.status, res.headers['retry-after']]).to.deep.equal([503, '5']);
    expect(res.body).to.deep.equal({ status: 'unavailable', database: 'PG_UNREACHABLE' });
    expect(res.text).to.not.match(/hookpress"|db\.internal|SSL/);
    expect(logged).to.deep.equal([{ err: error, reason: 'PG_UNREACHABLE' }]);
  });
});
