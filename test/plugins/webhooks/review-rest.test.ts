import { expect } from 'chai';
import request from 'supertest';
import { makeWebhooksApp, type WebhooksApp } from '../../helpers/webhooks.js';
import { apiKeyAuth } from '../../helpers/rest.js';

const NS = '/wp-json/wu/v2';

describe('REST review findings (findings-1)', () => {
  let w: WebhooksApp;
  let auth: string;
  beforeEach(async () => {
    w = await makeWebhooksApp({}, { loginAttempts: { perIp: 10_000, perAccount: 5, windowMs: 60_000 } });
    auth = apiKeyAuth(w.hp);
  });
  afterEach(async () => {
    await w.hp.close();
  });
  const post = (body: string) => request(w.hp.app).post(`${NS}/webhook`).set('Authorization', auth).set('Content-Type', 'application/json').send(body);

  it('#10 names __proto__ and constructor as the invalid parameters', async () => {
    const base = '"name":"Zap","webhook_url":"http://127.0.0.1:9/h","event":"payment_received","integration":"zapier"';
    const a = await post(`{${base},"__proto__":{"x":1}}`);
    expect(a.status).to.equal(400);
    expect(a.body.message).to.equal('Invalid parameter(s): __proto__');
    expect(Object.keys(a.body.data.params)).to.deep.equal(['__proto__']);
    const b = await post(`{${base},"constructor":1}`);
    expect(b.status).to.equal(400);
    expect(b.body.message).to.equal('Invalid parameter(s): constructor');
    expect(b.body.data.params.constructor).to.be.a('string').that.includes('not an argument');
  });

  it('#12b refuses an id beyond the safe integer range instead of reporting "1e+23"', async () => {
    const res = await request(w.hp.app).get(`${NS}/webhook/99999999999999999999999`).set('Authorization', auth);
    expect(res.status).to.equal(400);
    expect(JSON.stringify(res.body)).not.to.include('e+');
    expect(res.body.code).to.equal('rest_invalid_param');
  });
});
