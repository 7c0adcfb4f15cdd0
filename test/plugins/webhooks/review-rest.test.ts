import { expect } from 'chai';
import request from 'supertest';
import { makeWebhooksApp, storedApiKeyAuth, type WebhooksApp } from '../../helpers/webhooks.js';

const NS = '/wp-json/wu/v2';

describe('REST review findings (findings-1)', () => {
  let w: WebhooksApp;
  let auth: string;
  beforeEach(async () => {
    w = await makeWebhooksApp({}, { loginAttempts: { perIp: 10_000, perAccount: 5, windowMs: 60_000 } });
    auth = await storedApiKeyAuth(w.hp);
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

  const create = (headers: unknown) =>
    request(w.hp.app).post(`${NS}/webhook`).set('Authorization', auth).send({ name: 'Zap', webhook_url: 'http://127.0.0.1:9/h', event: 'payment_received', integration: 'zapier', headers });

  it('#2 refuses at save header values that are not RFC 9110 field values, and names undici refuses', async () => {
    for (const value of ['Bearer café', 'tok\u0001en', 'emoji 🙂', 'a\x7fb']) {
      const res = await create([{ name: 'Authorization', value }]);
      expect(res.status, value).to.equal(400);
      expect(JSON.stringify(res.body), value).to.include('visible ASCII');
    }
    for (const name of ['Expect', 'Transfer-Encoding', 'Keep-Alive', 'Upgrade', 'Connection', 'Host', 'Content-Length']) {
      const res = await create([{ name, value: '100-continue' }]);
      expect(res.status, name).to.equal(400);
    }
    const ok = await create([{ name: 'Authorization', value: 'Bearer sk_live\tabc!~' }]);
    expect(ok.status).to.equal(201);
  });

  it('#2 PATCH with the masked value the API returned keeps the stored value', async () => {
    const created = await create([{ name: 'Authorization', value: 'Bearer sk_live_0123456789abcdef' }, { name: 'X-Short', value: 'tiny-token' }]);
    expect(created.status).to.equal(201);
    const id = created.body.id as number;
    const got = await request(w.hp.app).get(`${NS}/webhook/${id}`).set('Authorization', auth);
    const res = await request(w.hp.app).patch(`${NS}/webhook/${id}`).set('Authorization', auth).send({ headers: got.body.headers });
    expect(res.status).to.equal(200);
    const stored = (await w.api.async.get_webhook(id)).headers;
    expect(stored).to.deep.equal([{ name: 'Authorization', value: 'Bearer sk_live_0123456789abcdef' }, { name: 'X-Short', value: 'tiny-token' }]);
    // A mask that is not this header's own is still refused (not ASCII), never stored.
    const wrong = await request(w.hp.app).patch(`${NS}/webhook/${id}`).set('Authorization', auth).send({ headers: [{ name: 'X-Short', value: '••••zzzz' }] });
    expect(wrong.status).to.equal(400);
  });

  it('#3 the mask reveals nothing of short values and at most the last 4 of long ones', async () => {
    const created = await create([{ name: 'Authorization', value: 'Bearer abcd' }, { name: 'X-Long', value: 'sk_live_0123456789abcdef' }]);
    const headers = created.body.headers as { name: string; value: string }[];
    expect(headers[0]!.value).to.equal('••••');
    expect(headers[1]!.value).to.equal('••••cdef');
    const page = await request(w.hp.app).get(`${NS}/webhook/${created.body.id}`).set('Authorization', auth);
    expect(JSON.stringify(page.body)).not.to.include('abcd');
  });

  it('#8 refuses a custom User-Agent at save (it would never be sent)', async () => {
    const res = await create([{ name: 'User-Agent', value: 'MyAgent/1.0' }]);
    expect(res.status).to.equal(400);
    expect(JSON.stringify(res.body)).to.include('User-Agent');
  });
});
