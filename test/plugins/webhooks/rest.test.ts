import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { secretKey } from '../../../plugins/webhooks/delivery/signing.js';
import { fireStored, makeWebhooksApp, storedApiKeyAuth, type WebhooksApp } from '../../helpers/webhooks.js';
import { basic, OpenApiChecker, restClient } from '../../helpers/rest.js';
import { loginAgent, nonceIn } from '../../helpers/app.js';
import { Receiver } from '../../helpers/receiver.js';

const NS = '/wp-json/wu/v2';
/** The same refusals the service makes on create, update and rotate (secrets.test.ts). */
const BAD_SECRETS = ['whsec_', 'whsec_!!!!', 'whsec_' + randomBytes(16).toString('base64'), 'whsec_' + randomBytes(65).toString('base64'), 'whsec_abc$def', 'not a secret', ''];

describe('REST API wu/v2', () => {
  let w: WebhooksApp;
  let checker: OpenApiChecker;
  let call: ReturnType<typeof restClient>;
  let receiver: Receiver;

  before(async () => {
    receiver = new Receiver();
    await receiver.start();
  });
  after(async () => {
    await receiver.close();
  });
  beforeEach(async () => {
    w = await makeWebhooksApp({}, { loginAttempts: { perIp: 10_000, perAccount: 10_000, windowMs: 60_000 } });
    const doc = (await request(w.hp.app).get(`${NS}/openapi.json`)).body;
    checker = new OpenApiChecker(doc);
    call = restClient(w.hp, checker, await storedApiKeyAuth(w.hp));
  });
  afterEach(async () => {
    await w.hp.close();
  });

  const create = (over: Record<string, unknown> = {}) =>
    call('POST', `${NS}/webhook`, { name: 'Zap', webhook_url: `${receiver.url}/hook`, event: 'payment_received', integration: 'zapier', ...over });

  it('serves an OpenAPI 3.1 document that a standard validator accepts', async () => {
    const doc = (await request(w.hp.app).get(`${NS}/openapi.json`)).body;
    expect(doc.openapi).to.equal('3.1.0');
    await SwaggerParser.validate(structuredClone(doc));
    expect(Object.keys(doc.paths)).to.include.members(['/auth', '/hooks', '/webhook', '/webhooks', '/webhook/{id}', '/webhook/{id}/test', '/webhook/{id}/rotate-secret', '/webhook/{id}/deliveries', '/webhook/{id}/recover', '/delivery/{id}', '/delivery/{id}/resend']);
  });

  it('GET /auth answers { success, label: network name, message }', async () => {
    const res = await call('GET', `${NS}/auth`);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ success: true, label: 'Hookpress Network', message: 'Welcome to our API' });
  });

  it('GET /hooks lists every event type keyed by slug, with its sample payload', async () => {
    const res = await call('GET', `${NS}/hooks`);
    expect(res.status).to.equal(200);
    expect(res.body.payment_received).to.include({ name: 'Payment Received' });
    expect(res.body.payment_received.payload).to.be.an('object');
  });

  it('creates, reads, updates and deletes a webhook with the compatible object; the secret is never in it', async () => {
    const created = await create({ headers: [{ name: 'Authorization', value: 'Bearer sk_live_abcdef' }] });
    expect(created.status).to.equal(201);
    const id = created.body.id as number;
    expect(created.body).to.include({ name: 'Zap', event: 'payment_received', integration: 'zapier', active: true, hidden: false, event_count: 0 });
    expect(created.body.date_created).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(created.body.headers).to.deep.equal([{ name: 'Authorization', value: '••••cdef' }]);
    expect(JSON.stringify(created.body)).not.to.include('whsec_').and.not.include('sk_live');
    expect((await w.api.async.get_webhook(id)).headers).to.deep.equal([{ name: 'Authorization', value: 'Bearer sk_live_abcdef' }]);

    expect((await call('GET', `${NS}/webhook/${id}`)).body.name).to.equal('Zap');
    const patched = await call('PATCH', `${NS}/webhook/${id}`, { name: 'Renamed', active: false });
    expect(patched.body).to.include({ name: 'Renamed', active: false });
    const put = await call('PUT', `${NS}/webhooks/${id}`, { hidden: true });
    expect(put.body.hidden).to.equal(true);
    const del = await call('DELETE', `${NS}/webhook/${id}`);
    expect(del.body).to.include({ deleted: true });
    expect(del.body.previous.id).to.equal(id);
    const gone = await call('GET', `${NS}/webhook/${id}`);
    expect(gone.status).to.equal(404);
    expect(gone.body.code).to.equal('wu_rest_webhook_invalid_id');
  });

  it('removes NUL, BEL and other control characters from the name on create and update, as the admin form does', async () => {
    const created = await create({ name: 'Z\u0000a\u0007p\u009f' });
    expect(created.status).to.equal(201);
    expect(created.body.name).to.equal('Zap');
    expect((await w.api.async.get_webhook(created.body.id)).name).to.equal('Zap');
    const patched = await call('PATCH', `${NS}/webhook/${created.body.id}`, { name: '\u0001Re\u0000named\u007f' });
    expect(patched.body.name).to.equal('Renamed');
    const bare = await call('PATCH', `${NS}/webhook/${created.body.id}`, { name: 'x\u0000\u0000' });
    expect([bare.status, Object.keys(bare.body.data.params)]).to.deep.equal([400, ['name']]);
  });

  it('validates arguments from their schema: missing, invalid, unknown keys, bad headers', async () => {
    const missing = await call('POST', `${NS}/webhook`, { name: 'Zap' });
    expect(missing.status).to.equal(400);
    expect(missing.body.code).to.equal('rest_missing_callback_param');
    expect(missing.body.data.params).to.have.members(['webhook_url', 'event', 'integration']);

    const short = await create({ name: 'Z' });
    expect(short.body.code).to.equal('rest_invalid_param');
    expect(short.body.data.params).to.have.key('name');

    const unknownEvent = await create({ event: 'nope' });
    expect(unknownEvent.status).to.equal(400);
    expect(unknownEvent.body.data.params).to.have.key('event');

    const id = (await create()).body.id;
    const unknownKey = await call('PATCH', `${NS}/webhook/${id}`, { secret: 'x' });
    expect(unknownKey.status).to.equal(400);
    expect(unknownKey.body.data.params).to.have.key('secret');

    for (const name of ['Connection', 'Content-Type', 'webhook-signature', 'Transfer-Encoding']) {
      const bad = await create({ headers: [{ name, value: 'x' }] });
      expect(bad.status, name).to.equal(400);
      expect(bad.body.data.params).to.have.key('headers');
    }
  });

  it('paginates with per_page/page and number/offset, X-WP-Total and X-WP-TotalPages; searches and filters; _fields', async () => {
    for (let i = 1; i <= 5; i++) await create({ name: `Hook ${i}`, integration: i % 2 ? 'zapier' : 'manual' });
    const page = await call('GET', `${NS}/webhook?per_page=2&page=2&orderby=id&order=asc`);
    expect(page.headers['x-wp-total']).to.equal('5');
    expect(page.headers['x-wp-totalpages']).to.equal('3');
    expect(page.body.map((x: { name: string }) => x.name)).to.deep.equal(['Hook 3', 'Hook 4']);
    const um = await call('GET', `${NS}/webhooks?number=1&offset=4&orderby=id&order=asc`);
    expect(um.body.map((x: { name: string }) => x.name)).to.deep.equal(['Hook 5']);
    const zapier = await call('GET', `${NS}/webhook?integration=zapier`);
    expect(zapier.headers['x-wp-total']).to.equal('3');
    const search = await call('GET', `${NS}/webhook?search=Hook%204`);
    expect(search.body).to.have.length(1);
    const fields = await request(w.hp.app).get(`${NS}/webhook?_fields=id,name&per_page=1`).set('Authorization', await storedApiKeyAuth(w.hp));
    expect(Object.keys(fields.body[0])).to.deep.equal(['id', 'name']);
    const badPage = await call('GET', `${NS}/webhook?per_page=1000`);
    expect(badPage.status).to.equal(400);
    expect(badPage.body.data.params).to.have.key('per_page');
  });

  it('a page past the last answers 400 rest_post_invalid_page_number with the totals, as WordPress does; page 1 of nothing is 200 []', async () => {
    const empty = await call('GET', `${NS}/webhook`);
    expect([empty.status, empty.body, empty.headers['x-wp-total']]).to.deep.equal([200, [], '0']);
    const none = await call('GET', `${NS}/webhook?page=2`);
    expect([none.status, none.body.code]).to.deep.equal([400, 'rest_post_invalid_page_number']);
    const id = (await create()).body.id as number;
    await create({ name: 'Other' });
    const last = await call('GET', `${NS}/webhook?per_page=1&page=2`);
    expect([last.status, last.body.length]).to.deep.equal([200, 1]);
    const past = await call('GET', `${NS}/webhook?page=99`);
    expect(past.status).to.equal(400);
    expect(past.body).to.deep.equal({ code: 'rest_post_invalid_page_number', message: 'The page number requested is larger than the number of pages available.', data: { status: 400 } });
    expect([past.headers['x-wp-total'], past.headers['x-wp-totalpages']]).to.deep.equal(['2', '1']);
    const offset = await call('GET', `${NS}/webhook?offset=99`);
    expect([offset.status, offset.body]).to.deep.equal([200, []]);
    expect((await call('GET', `${NS}/webhook/${id}/deliveries`)).body).to.deep.equal([]);
    const deliveries = await call('GET', `${NS}/webhook/${id}/deliveries?page=999`);
    expect([deliveries.status, deliveries.body.code, deliveries.headers['x-wp-total']]).to.deep.equal([400, 'rest_post_invalid_page_number', '0']);
  });

  it('rotate-secret refuses unknown fields and a bad `secret` (400, nothing rotated) and takes a valid `secret`', async () => {
    const id = (await create()).body.id as number;
    const before = (await w.api.async.get_webhook(id)).secret;
    const bad = await call('POST', `${NS}/webhook/${id}/rotate-secret`, { secret: 'whsec_!!!!' });
    expect([bad.status, bad.body.code, Object.keys(bad.body.data.params)]).to.deep.equal([400, 'rest_invalid_param', ['secret']]);
    const unknown = await call('POST', `${NS}/webhook/${id}/rotate-secret`, { key: 'x' });
    expect([unknown.status, Object.keys(unknown.body.data.params)]).to.deep.equal([400, ['key']]);
    expect((await w.api.async.get_webhook(id)).secret).to.equal(before);
    const chosen = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const rotated = await call('POST', `${NS}/webhook/${id}/rotate-secret`, { secret: chosen });
    expect([rotated.status, rotated.body.secret]).to.deep.equal([200, chosen]);
    expect(await w.api.async.get_webhook(id)).to.include({ secret: chosen, previous_secret: before });
  });

  it('tests, rotates the secret (returned only there), lists deliveries, shows one, resends and recovers', async () => {
    const id = (await create()).body.id as number;
    const test = await call('POST', `${NS}/webhook/${id}/test`);
    expect(test.status).to.equal(200);
    expect(test.body).to.include({ ok: true, status: 200 });
    expect(receiver.requests.at(-1)!.headers['x-hookpress-test']).to.equal('true');

    const rotated = await call('POST', `${NS}/webhook/${id}/rotate-secret`);
    expect(rotated.body.secret).to.match(/^whsec_/);
    expect(rotated.body.secret).to.equal((await w.api.async.get_webhook(id)).secret);

    await fireStored(w, 'payment_received', { amount: 1 });
    await w.service.worker.drain();
    const deliveries = await call('GET', `${NS}/webhook/${id}/deliveries?status=succeeded`);
    expect(deliveries.headers['x-wp-total']).to.equal('2');
    const real = deliveries.body.find((d: { is_test: boolean }) => !d.is_test);
    const detail = await call('GET', `${NS}/delivery/${real.id}`);
    expect(detail.body.attempts).to.have.length(1);
    expect(JSON.parse(detail.body.body)).to.include({ amount: 1 });
    const resent = await call('POST', `${NS}/delivery/${real.id}/resend`);
    expect(resent.body.status).to.equal('pending');
    const again = await call('POST', `${NS}/delivery/${real.id}/resend`);
    expect(again.status).to.equal(400);
    const recovered = await call('POST', `${NS}/webhook/${id}/recover`, { since: new Date(0).toISOString() });
    expect(recovered.body).to.deep.equal({ requeued: 0 });
    const noSince = await call('POST', `${NS}/webhook/${id}/recover`, { since: 'yesterday' });
    expect(noSince.status).to.equal(400);
    expect((await call('GET', `${NS}/delivery/999999`)).body.code).to.equal('wu_rest_delivery_invalid_id');
    expect(checker.checked).to.be.greaterThan(8);
  });

  it('index, namespace index, OPTIONS schema, no route, bad JSON, too large', async () => {
    const index = await request(w.hp.app).get('/wp-json/');
    expect(index.body.namespaces).to.include('wu/v2');
    expect(index.body.routes).to.have.property('/wu/v2/webhook/(?P<id>[\\d]+)');
    const ns = await request(w.hp.app).get('/wp-json/wu/v2');
    expect(ns.body.namespace).to.equal('wu/v2');
    const options = await request(w.hp.app).options(`${NS}/webhook`);
    expect(options.body.methods).to.deep.equal(['GET', 'POST']);
    expect(options.body.endpoints[1].args.name).to.include({ required: true, minLength: 2 });
    expect(options.body.schema.title).to.equal('webhook');
    const none = await request(w.hp.app).get(`${NS}/nothing`);
    expect(none.status).to.equal(404);
    expect(none.body).to.deep.equal({ code: 'rest_no_route', message: 'No route was found matching the URL and request method.', data: { status: 404 } });
    const auth = await storedApiKeyAuth(w.hp);
    const bad = await request(w.hp.app).post(`${NS}/webhook`).set('Authorization', auth).set('Content-Type', 'application/json').send('{"name": ');
    expect(bad.status).to.equal(400);
    expect(bad.body.code).to.equal('rest_invalid_json');
    const text = await request(w.hp.app).post(`${NS}/webhook`).set('Authorization', auth).set('Content-Type', 'text/plain').send('name=x');
    expect(text.status).to.equal(400);
    expect(text.body.code).to.equal('rest_invalid_json');
    const big = await request(w.hp.app).post(`${NS}/webhook`).set('Authorization', auth).set('Content-Type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(1_100_000) }));
    expect(big.status).to.equal(413);
    expect(big.body.code).to.equal('rest_payload_too_large');
  });

  describe('create with an optional secret', () => {
    let auth: string;
    beforeEach(async () => {
      auth = await storedApiKeyAuth(w.hp);
    });
    const create = (extra: Record<string, unknown> = {}) =>
      request(w.hp.app)
        .post(`${NS}/webhooks`)
        .set('Authorization', auth)
        .send({ name: 'Zap', webhook_url: `${receiver.url}/hook`, event: 'payment_received', integration: 'zapier', ...extra });

    it('a valid secret (with or without whsec_) is stored as given, with no previous secret, and never echoed', async () => {
      for (const secret of [`whsec_${randomBytes(32).toString('base64')}`, randomBytes(24).toString('base64')]) {
        const res = await create({ secret });
        expect(res.status, secret).to.equal(201);
        expect(res.body).not.to.have.property('secret');
        expect(res.text).not.to.include(secret.replace(/^whsec_/, ''));
        const saved = await w.api.async.get_webhook(res.body.id);
        expect([saved.secret, saved.previous_secret, saved.previous_secret_expires]).to.deep.equal([secret, null, null]);
      }
    });

    it('deliveries are signed with the given secret, so the integration verifies them with its own', async () => {
      const secret = `whsec_${randomBytes(32).toString('base64')}`;
      expect((await create({ secret })).status).to.equal(201);
      await fireStored(w, 'payment_received', { payment_id: 1 });
      await w.service.worker.drain();
      const req = receiver.requests.at(-1)!; // the receiver serves the whole file
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      expect(String(req.headers['webhook-signature']).split(' '), 'one signature: no previous secret').to.have.length(1);
      expect(() => new StandardWebhook(secret).verify(req.body, headers)).not.to.throw();
    });

    it('an invalid secret is 400 rest_invalid_param naming secret, reported with the other fields; nothing saved', async () => {
      for (const secret of [...BAD_SECRETS, 12345]) {
        const res = await create({ secret });
        expect([res.status, res.body.code], JSON.stringify(secret)).to.deep.equal([400, 'rest_invalid_param']);
        expect(Object.keys(res.body.data.params), JSON.stringify(secret)).to.deep.equal(['secret']);
        expect(res.body.data.details.secret.data.param).to.equal('secret');
      }
      const both = await create({ secret: 'not a secret', event: 'no_such_event' });
      expect(Object.keys(both.body.data.params).sort()).to.deep.equal(['event', 'secret']);
      expect(both.body.data.params.secret).to.equal('A signing secret is whsec_ followed by base64 (A–Z, a–z, 0–9, +, /, = padding).');
      expect((await w.api.async.list_webhooks({ hidden: undefined })).total).to.equal(0);
    });

    it('without a secret, one is generated as before (and not returned)', async () => {
      const res = await create();
      expect(res.status).to.equal(201);
      expect(res.body).not.to.have.property('secret');
      const saved = await w.api.async.get_webhook(res.body.id);
      expect(saved.secret).to.match(/^whsec_/);
      expect(secretKey(saved.secret)).to.have.property('key');
      expect(saved.previous_secret).to.equal(null);
    });

    it('update still refuses a secret (rotate-secret changes it, with a grace period)', async () => {
      const id = (await create()).body.id as number;
      const res = await request(w.hp.app).patch(`${NS}/webhooks/${id}`).set('Authorization', auth).send({ secret: `whsec_${randomBytes(32).toString('base64')}` });
      expect([res.status, Object.keys(res.body.data.params)]).to.deep.equal([400, ['secret']]);
    });
  });

  describe('a list given to a scalar query argument', () => {
    let auth: string;
    let hookId: number;
    beforeEach(async () => {
      auth = await storedApiKeyAuth(w.hp);
      hookId = (await w.api.async.create_webhook({ name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'payment_received' })).id;
    });
    const get = (path: string) => request(w.hp.app).get(`${NS}${path}`).set('Authorization', auth);
    const expectRefused = (res: request.Response, param: string, what: string) => {
      expect([res.status, res.body.code], what).to.deep.equal([400, 'rest_invalid_param']);
      expect(Object.keys(res.body.data.params), what).to.deep.equal([param]);
      expect(res.body.data.details[param], what).to.deep.include({ code: 'rest_invalid_type', data: { param } });
    };

    it('deliveries: status[]=failed&status[]=pending, status[]=failed and status=a&status=b are 400 naming status, not an unfiltered list', async () => {
      for (const q of ['status[]=failed&status[]=pending', 'status[]=failed', 'status[0]=failed', 'status=failed&status=pending', 'status=failed&status[]=pending']) {
        expectRefused(await get(`/webhook/${hookId}/deliveries?${q}`), 'status', q);
      }
      expect((await get(`/webhook/${hookId}/deliveries?status=failed`)).status, 'a single value still filters').to.equal(200);
    });

    it('the webhook list refuses a list for every scalar argument, in either form', async () => {
      const values: Record<string, [string, string]> = {
        page: ['1', '2'],
        per_page: ['10', '20'],
        number: ['10', '20'],
        offset: ['0', '1'],
        search: ['a', 'b'],
        orderby: ['name', 'id'],
        order: ['asc', 'desc'],
        event: ['payment_received', 'x'],
        integration: ['manual', 'zapier'],
        active: ['1', '0'],
        hidden: ['0', '1'],
      };
      for (const [param, [a, b]] of Object.entries(values)) {
        expectRefused(await get(`/webhook?${param}[]=${a}&${param}[]=${b}`), param, `${param}[]`);
        expectRefused(await get(`/webhooks?${param}=${a}&${param}=${b}`), param, `${param} twice`);
      }
      expectRefused(await get('/webhook?event[x]=payment_received'), 'event', 'event[x]');
      // One bad argument among good ones is reported alone; the good ones alone still answer the list.
      expectRefused(await get('/webhook?search=Hook&order[]=asc'), 'order', 'order[] with search');
      expect((await get('/webhook?search=Hook&order=asc')).body.map((h: { id: number }) => h.id)).to.deep.equal([hookId]);
    });

    it('the deliveries list refuses lists for its pagination arguments too', async () => {
      for (const param of ['page', 'per_page', 'number', 'offset']) expectRefused(await get(`/webhook/${hookId}/deliveries?${param}[]=1`), param, `deliveries ${param}[]`);
    });
  });

  describe('argument types as WordPress reads them (rest_validate_value_from_schema, rest_is_integer)', () => {
    const expectInvalidType = (res: request.Response, param: string, what: string) => {
      expect([res.status, res.body.code, Object.keys(res.body.data?.params ?? {})], what).to.deep.equal([400, 'rest_invalid_param', [param]]);
      expect(res.body.data.details[param], what).to.deep.include({ code: 'rest_invalid_type', data: { param } });
    };

    it('a number or boolean header value is 400 rest_invalid_type naming headers, on create and update; nothing stored', async () => {
      const headers = [
        { name: 'X-A', value: 5 },
        { name: 'X-B', value: true },
      ];
      const created = await create({ headers });
      expectInvalidType(created, 'headers', 'create');
      expect(created.body.data.params.headers).to.equal('headers.0.value must be string. headers.1.value must be string.');
      expect(created.body.data.details.headers.additional_errors).to.deep.equal([{ code: 'rest_invalid_type', message: 'headers.1.value must be string.', data: { param: 'headers' } }]);
      expect((await w.api.async.list_webhooks({ hidden: undefined })).total).to.equal(0);
      const id = (await create({ headers: [{ name: 'X-A', value: 'a' }] })).body.id as number;
      expectInvalidType(await call('PATCH', `${NS}/webhook/${id}`, { headers }), 'headers', 'update');
      expect((await w.api.async.get_webhook(id)).headers).to.deep.equal([{ name: 'X-A', value: 'a' }]);
    });

    it('a secret that is not a string (12345, null) is 400 rest_invalid_type on create and rotate-secret, not the secret-format message', async () => {
      for (const secret of [12345, null, true]) {
        const res = await create({ secret });
        expectInvalidType(res, 'secret', `create ${JSON.stringify(secret)}`);
        expect(res.body.data.params.secret).to.equal('secret must be string.');
      }
      expect((await w.api.async.list_webhooks({ hidden: undefined })).total).to.equal(0);
      const id = (await create()).body.id as number;
      const before = (await w.api.async.get_webhook(id)).secret;
      for (const secret of [12345, null]) expectInvalidType(await call('POST', `${NS}/webhook/${id}/rotate-secret`, { secret }), 'secret', `rotate ${JSON.stringify(secret)}`);
      expect((await w.api.async.get_webhook(id)).secret).to.equal(before);
    });

    it('per_page, page, number and offset refuse hex, binary, octal and padded numbers (400 naming the argument); 1e1 is 10, as in WordPress', async () => {
      for (let i = 1; i <= 11; i++) await w.api.async.create_webhook({ name: `Hook ${i}`, url: 'http://127.0.0.1:9/a', event: 'payment_received' });
      for (const param of ['per_page', 'page', 'number', 'offset']) {
        for (const sent of ['0x10', '0b1', '0o1', ' 2', '2 ']) expectInvalidType(await call('GET', `${NS}/webhook?${param}=${encodeURIComponent(sent)}`), param, `${param}=${JSON.stringify(sent)}`);
      }
      expectInvalidType(await call('GET', `${NS}/webhook/1/deliveries?per_page=0x10`), 'per_page', 'deliveries per_page=0x10');
      const ten = await call('GET', `${NS}/webhook?per_page=1e1`);
      expect([ten.status, ten.body.length, ten.headers['x-wp-totalpages']]).to.deep.equal([200, 10, '2']);
    });
  });

  describe('authentication', () => {
    it('accepts the API key as api_key/api_secret parameters; refuses a wrong secret (401) and a disabled API (403)', async () => {
      await storedApiKeyAuth(w.hp);
      const { key, secret } = w.hp.host.apiKey.get();
      const ok = await request(w.hp.app).get(`${NS}/auth?api_key=${key}&api_secret=${encodeURIComponent(secret)}`);
      expect(ok.status).to.equal(200);
      const wrong = await request(w.hp.app).get(`${NS}/auth`).set('Authorization', basic(key, `${secret}x`));
      expect(wrong.status).to.equal(401);
      expect(wrong.body.code).to.equal('incorrect_password');
      w.hp.host.apiKey.setEnabled(false);
      await w.hp.host.options.flush();
      const off = await request(w.hp.app).get(`${NS}/auth`).set('Authorization', basic(key, secret));
      expect(off.status).to.equal(403);
      expect(off.body.code).to.equal('rest_api_disabled');
      w.hp.host.apiKey.setEnabled(true);
      const old = basic(key, secret);
      w.hp.host.apiKey.regenerate();
      await w.hp.host.options.flush();
      expect((await request(w.hp.app).get(`${NS}/auth`).set('Authorization', old)).status).to.equal(401);
    });

    it('accepts a user’s application password (with spaces or not) and acts with that user’s capabilities', async () => {
      const admin = (await w.hp.host.users.find('admin'))!;
      const { password, item } = await w.hp.host.appPasswords.createAsync(admin.id, 'Zapier');
      const spaced = password.match(/.{4}/g)!.join(' ');
      const res = await request(w.hp.app).get(`${NS}/auth`).set('Authorization', basic('admin', spaced));
      expect(res.status).to.equal(200);
      const used = (await w.hp.host.appPasswords.listAsync(admin.id))[0]!;
      expect(used.uuid).to.equal(item.uuid);
      expect(used.last_used).to.be.a('number');
      expect(used.last_ip).to.match(/127\.0\.0\.1/);
      const { user } = await w.hp.host.users.create({ login: 'editor', email: 'editor@example.com', password: 'editor-password' });
      const editorPass = (await w.hp.host.appPasswords.createAsync(user.id, 'Mine')).password;
      const forbidden = await request(w.hp.app).get(`${NS}/webhook`).set('Authorization', basic('editor', editorPass));
      expect(forbidden.status).to.equal(403);
      expect(forbidden.body.code).to.equal('rest_forbidden');
      await w.hp.host.appPasswords.deleteAsync(admin.id, item.uuid);
      expect((await request(w.hp.app).get(`${NS}/auth`).set('Authorization', basic('admin', password))).status).to.equal(401);
    });

    it('a login cookie works only with an X-WP-Nonce for wp_rest', async () => {
      const agent = await loginAgent(w.hp);
      const alone = await agent.get(`${NS}/auth`);
      expect(alone.status).to.equal(401);
      const page = await agent.get('/wp-admin/network/profile.php');
      const nonce = nonceIn(page.text, 'wp_rest_nonce');
      const withNonce = await agent.get(`${NS}/auth`).set('X-WP-Nonce', nonce);
      expect(withNonce.status).to.equal(200);
      const badNonce = await agent.get(`${NS}/auth`).set('X-WP-Nonce', 'abcdefghij');
      expect(badNonce.status).to.equal(403);
      expect(badNonce.body.code).to.equal('rest_cookie_invalid_nonce');
    });

    it('refuses anonymous, wrong-secret and non-super-admin callers on every route of the index', async () => {
      const { user } = await w.hp.host.users.create({ login: 'member', email: 'member@example.com', password: 'member-password' });
      const memberAuth = basic('member', (await w.hp.host.appPasswords.createAsync(user.id, 'x')).password);
      await storedApiKeyAuth(w.hp);
      const wrongAuth = basic(w.hp.host.apiKey.get().key, 'wrong-secret');
      const index = (await request(w.hp.app).get('/wp-json/')).body as { routes: Record<string, { endpoints: Array<{ methods: string[] }> }> };
      // Documents, public like WordPress's own index.
      const publicRoutes = ['/wu/v2/openapi.json'];
      let tried = 0;
      for (const [route, info] of Object.entries(index.routes)) {
        if (publicRoutes.includes(route)) continue;
        const url = `/wp-json${route.replace(/\(\?P<\w+>(?:[^()]|\([^()]*\))*\)/g, '1')}`;
        for (const method of info.endpoints.flatMap((e) => e.methods)) {
          const m = method.toLowerCase() as 'get';
          const anon = await request(w.hp.app)[m](url);
          expect([anon.status, anon.body.code], `anonymous ${method} ${url}`).to.deep.equal([401, 'rest_forbidden']);
          const wrong = await request(w.hp.app)[m](url).set('Authorization', wrongAuth);
          expect([wrong.status, wrong.body.code], `wrong secret ${method} ${url}`).to.deep.equal([401, 'incorrect_password']);
          const member = await request(w.hp.app)[m](url).set('Authorization', memberAuth);
          expect([member.status, member.body.code], `member ${method} ${url}`).to.deep.equal([403, 'rest_forbidden']);
          tried++;
        }
      }
      expect(tried).to.be.greaterThan(20);
    });
  });
});

describe('REST authentication throttle', () => {
  it('throttles failed authentications per IP like logins (429), counts nothing that succeeds, and never refuses a correct credential', async () => {
    const w = await makeWebhooksApp({}, { loginAttempts: { perIp: 3, perAccount: 3, windowMs: 60_000 } });
    try {
      const auth = await storedApiKeyAuth(w.hp);
      for (let i = 0; i < 5; i++) expect((await request(w.hp.app).get(`${NS}/auth`).set('Authorization', auth)).status).to.equal(200);
      for (let i = 0; i < 3; i++) expect((await request(w.hp.app).get(`${NS}/auth`).set('Authorization', basic('admin', 'nope'))).status).to.equal(401);
      const blocked = await request(w.hp.app).get(`${NS}/auth`).set('Authorization', basic('admin', 'nope'));
      expect(blocked.status).to.equal(429);
      expect(blocked.body.code).to.equal('rest_too_many_attempts');
      // Others' failures never lock out a correct credential (finding 4).
      expect((await request(w.hp.app).get(`${NS}/auth`).set('Authorization', auth)).status).to.equal(200);
    } finally {
      await w.hp.close();
    }
  });
});
