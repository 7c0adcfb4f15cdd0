import { expect } from 'chai';
import request from 'supertest';
import type { LookupFn } from '../../../plugins/webhooks/delivery/ssrf-guard.js';
import { WebhookValidationError } from '../../../plugins/webhooks/errors.js';
import { loginAgent, nonceIn } from '../../helpers/app.js';
import { makeWebhooksApp, rejectionOf, storedApiKeyAuth, type WebhooksApp } from '../../helpers/webhooks.js';

const NS = '/wp-json/wu/v2';
const PRIVATE_LITERAL = 'http://10.0.0.1/hook';
/** A resolver that knows one name, which resolves to a private address; nothing here asks a real one. */
const DNS: LookupFn = (hostname, _options, callback) => {
  if (hostname === 'intranet.test') return queueMicrotask(() => callback(null, [{ address: '10.1.2.3', family: 4 }]));
  queueMicrotask(() => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []));
};

describe('webhooks: every invalid field is reported at once', () => {
  let w: WebhooksApp;
  beforeEach(async () => {
    w = await makeWebhooksApp({ lookup: DNS });
  });
  afterEach(async () => {
    await w.hp.close();
  });
  const count = async () => (await w.api.async.list_webhooks({ hidden: undefined })).total;

  describe('WebhooksApi / WebhooksAsyncApi', () => {
    const bad = { name: ' ', url: PRIVATE_LITERAL, event: 'no_such_event' };
    const expectAllThree = (error: Error) => {
      expect(error).to.be.instanceOf(WebhookValidationError);
      const e = error as WebhookValidationError;
      // Backward compatible: the code and the first field are where they were.
      expect([e.code, e.field]).to.deep.equal(['WEBHOOK_INVALID', 'name']);
      expect(Object.keys(e.fields)).to.deep.equal(['name', 'url', 'event']);
      expect(e.errors!.map((x) => [x.field, x.code])).to.deep.equal([
        ['name', 'WEBHOOK_INVALID'],
        ['url', 'EBLOCKED'],
        ['event', 'EVENT_UNKNOWN'],
      ]);
      expect(e.fields.url).to.include('Webhooks cannot be sent to 10.0.0.1: it is a private address');
      expect(e.message).to.include('name: ').and.include('url: ').and.include('event: ');
    };

    it('async create_webhook and update_webhook throw one WebhookValidationError listing name, url and event; nothing is saved', async () => {
      expectAllThree(await rejectionOf(w.api.async.create_webhook(bad)));
      expect(await count()).to.equal(0);
      const hook = await w.api.async.create_webhook({ name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'payment_received' });
      expectAllThree(await rejectionOf(w.api.async.update_webhook(hook.id, bad)));
      expect(await w.api.async.get_webhook(hook.id)).to.include({ name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'payment_received' });
    });

    it('the synchronous create_webhook and update_webhook do the same (SQLite hosts)', async function () {
      if (w.hp.query.dialect !== 'sqlite') this.skip();
      let thrown: Error | undefined;
      try {
        w.api.create_webhook(bad);
      } catch (error) {
        thrown = error as Error;
      }
      expectAllThree(thrown!);
      const hook = w.api.create_webhook({ name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'payment_received' });
      expect(() => w.api.update_webhook(hook.id, bad)).to.throw(WebhookValidationError).that.satisfies((e: WebhookValidationError) => e.errors!.length === 3);
      expect(w.api.list_webhooks({}).total).to.equal(1);
    });

    it('a single invalid field keeps its shape: field, fields and one entry in errors', async () => {
      const e = (await rejectionOf(w.api.async.create_webhook({ name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'nope' }))) as WebhookValidationError;
      expect([e.field, Object.keys(e.fields), e.errors]).to.deep.equal(['event', ['event'], [{ field: 'event', code: 'EVENT_UNKNOWN', message: '“nope” is not a registered event.' }]]);
    });
  });

  describe('REST (rest_invalid_param with data.params and data.details)', () => {
    let auth: string;
    beforeEach(async () => {
      auth = await storedApiKeyAuth(w.hp);
    });
    const send = (method: 'post' | 'patch', url: string, body: Record<string, unknown>) => request(w.hp.app)[method](`${NS}${url}`).set('Authorization', auth).send(body);
    const expectAllThree = (res: request.Response, nameCode: string) => {
      expect([res.status, res.body.code]).to.deep.equal([400, 'rest_invalid_param']);
      expect(res.body.message).to.equal('Invalid parameter(s): name, webhook_url, event');
      expect(Object.keys(res.body.data.params)).to.deep.equal(['name', 'webhook_url', 'event']);
      expect(res.body.data.params.webhook_url).to.include('Webhooks cannot be sent to 10.0.0.1');
      expect(res.body.data.params.event).to.equal('“no_such_event” is not a registered event.');
      const details = res.body.data.details;
      expect(Object.keys(details)).to.deep.equal(['name', 'webhook_url', 'event']);
      expect([details.name.code, details.webhook_url.code, details.event.code]).to.deep.equal([nameCode, 'eblocked', 'event_unknown']);
      expect(details.webhook_url).to.deep.equal({ code: 'eblocked', message: res.body.data.params.webhook_url, data: { param: 'webhook_url' } });
    };

    it('create with a too-short name, an unknown event and a refused IP literal answers all three; nothing saved', async () => {
      expectAllThree(await send('post', '/webhook', { name: 'x', webhook_url: PRIVATE_LITERAL, event: 'no_such_event', integration: 'zapier' }), 'rest_too_short');
      // A name the schema admits but the service refuses (control characters only) is reported with the others too.
      expectAllThree(await send('post', '/webhook', { name: '\u0001\u0002', webhook_url: PRIVATE_LITERAL, event: 'no_such_event', integration: 'zapier' }), 'webhook_invalid');
      expect(await count()).to.equal(0);
    });

    it('update reports every invalid field at once, and changes nothing', async () => {
      const hook = await w.api.async.create_webhook({ name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'payment_received' });
      expectAllThree(await send('patch', `/webhook/${hook.id}`, { name: 'x', webhook_url: PRIVATE_LITERAL, event: 'no_such_event' }), 'rest_too_short');
      expect(await w.api.async.get_webhook(hook.id)).to.include({ name: 'Hook', url: 'http://127.0.0.1:9/a' });
      // Invalid arguments are reported before an unknown id, as the schema alone did.
      expectAllThree(await send('patch', '/webhook/99999', { name: 'x', webhook_url: PRIVATE_LITERAL, event: 'no_such_event' }), 'rest_too_short');
    });

    it('a host name resolving to a private address is not an error: the others are reported; once fixed it is saved with a warning', async () => {
      const res = await send('post', '/webhook', { name: 'x', webhook_url: 'https://intranet.test/hook', event: 'no_such_event', integration: 'zapier' });
      expect(Object.keys(res.body.data.params)).to.deep.equal(['name', 'event']);
      const ok = await send('post', '/webhook', { name: 'Intranet', webhook_url: 'https://intranet.test/hook', event: 'payment_received', integration: 'zapier' });
      expect(ok.status).to.equal(201);
      expect(ok.body.warnings[0].code).to.equal('destination_blocked');
    });
  });

  describe('admin Add New / Edit forms', () => {
    const page = (slug: string, params = '') => `/wp-admin/network/admin.php?page=${slug}${params}`;
    const expectAllShown = (html: string, url: string) => {
      // Next to each field…
      expect(html).to.match(/id="name-error"[^>]*>Give the webhook a name of at least 2 characters\./);
      expect(html).to.match(/id="url-error"[^>]*>Webhooks cannot be sent to 10\.0\.0\.1/);
      expect(html).to.match(/id="event-error"[^>]*>“no_such_event” is not a registered event\./);
      // …and in the summary, each linking to its field.
      const summary = /<div class="notice notice-error" role="alert" id="webhook-form-errors">([\s\S]*?)<\/div>/.exec(html)![1]!;
      expect(summary).to.include('Please correct these 3 errors below.');
      expect(summary.match(/<li>/g)).to.have.length(3);
      expect(summary).to.include('href="#name"').and.include('href="#url"').and.include('href="#event"');
      // The input is kept.
      expect(html).to.include(`value="${url}"`);
      expect(html).to.include('value="X-Team"');
    };

    it('Add New shows every error next to its field and in the summary, keeps the input, saves nothing', async () => {
      const agent = await loginAgent(w.hp);
      const form = await agent.get(page('webhooks-new'));
      const res = await agent
        .post(page('webhooks-new'))
        .type('form')
        .send({ _wpnonce: nonceIn(form.text), name: ' ', url: PRIVATE_LITERAL, event: 'no_such_event', header_name_0: 'X-Team', header_value_0: 'blue' });
      expect(res.status).to.equal(422);
      expectAllShown(res.text, PRIVATE_LITERAL);
      expect(await count()).to.equal(0);
    });

    it('Edit does the same and changes nothing', async () => {
      const hook = await w.api.async.create_webhook({ name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'payment_received' });
      const agent = await loginAgent(w.hp);
      const form = await agent.get(page('webhooks-edit', `&id=${hook.id}`));
      const res = await agent
        .post(page('webhooks-edit', `&id=${hook.id}`))
        .type('form')
        .send({ _wpnonce: nonceIn(form.text), action: 'save', name: 'x', url: PRIVATE_LITERAL, event: 'no_such_event', active: '1', header_name_0: 'X-Team', header_value_0: 'blue' });
      expect(res.status).to.equal(422);
      expectAllShown(res.text, PRIVATE_LITERAL);
      expect(await w.api.async.get_webhook(hook.id)).to.include({ name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'payment_received' });
    });
  });
  describe('custom headers: every bad header at once, one error each, naming it', () => {
    const HEADERS = [
      { name: 'Host', value: 'example.com' },
      { name: 'X-Team', value: 'blue' },
      { name: 'Content-Type', value: 'text/plain' },
      { name: 'X-Note', value: 'caf\u00e9' },
      { name: '', value: 'orphan' },
      { name: 'x-team', value: 'red' },
    ];
    const MESSAGES = [
      "Host is a hop-by-hop or framing header that Hookpress's HTTP client sets itself; it cannot be set.",
      'Content-Type describes the body, which Hookpress sets; it cannot be overridden.',
      'The value of X-Note can only hold visible ASCII characters, spaces and tabs (RFC 9110 field value); it has “é” (U+00E9).',
      'Header 5 needs a name.',
      'x-team is given twice.',
    ];

    it('WebhooksApi: errors has one headers entry per bad header, fields.headers has them all; nothing saved', async () => {
      const e = (await rejectionOf(w.api.async.create_webhook({ name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'nope', headers: HEADERS }))) as WebhookValidationError;
      expect(e.errors).to.deep.equal([{ field: 'event', code: 'EVENT_UNKNOWN', message: '“nope” is not a registered event.' }, ...MESSAGES.map((message) => ({ field: 'headers', code: 'WEBHOOK_INVALID', message }))]);
      expect(e.fields.headers).to.equal(MESSAGES.join(' '));
      expect(await count()).to.equal(0);
      const hook = await w.api.async.create_webhook({ name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'payment_received', headers: [{ name: 'X-Team', value: 'blue' }] });
      const u = (await rejectionOf(w.api.async.update_webhook(hook.id, { headers: HEADERS }))) as WebhookValidationError;
      expect(u.errors!.map((x) => x.message)).to.deep.equal(MESSAGES);
      expect((await w.api.async.get_webhook(hook.id)).headers).to.deep.equal([{ name: 'X-Team', value: 'blue' }]);
    });

    it('REST create and update: rest_invalid_param with every header problem in params.headers and details.headers.additional_errors', async () => {
      const auth = await storedApiKeyAuth(w.hp);
      const expectAll = (res: request.Response, others: string[]) => {
        expect([res.status, res.body.code]).to.deep.equal([400, 'rest_invalid_param']);
        expect(Object.keys(res.body.data.params)).to.have.members([...others, 'headers']);
        expect(res.body.data.params.headers).to.equal(MESSAGES.join(' '));
        const d = res.body.data.details.headers;
        expect([d.code, d.message, d.data]).to.deep.equal(['webhook_invalid', MESSAGES[0], { param: 'headers' }]);
        expect(d.additional_errors).to.deep.equal(MESSAGES.slice(1).map((message) => ({ code: 'webhook_invalid', message, data: { param: 'headers' } })));
      };
      // With a refused URL too: the REST renaming of url → webhook_url keeps every header's problem.
      const created = await request(w.hp.app).post(`${NS}/webhook`).set('Authorization', auth).send({ name: 'Hook', webhook_url: PRIVATE_LITERAL, event: 'payment_received', integration: 'zapier', headers: HEADERS });
      expectAll(created, ['webhook_url']);
      expect(await count()).to.equal(0);
      const hook = await w.api.async.create_webhook({ name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'payment_received' });
      expectAll(await request(w.hp.app).patch(`${NS}/webhook/${hook.id}`).set('Authorization', auth).send({ headers: HEADERS }), []);
      // The schema's own findings in headers are one per bad header as well.
      const typed = await request(w.hp.app).patch(`${NS}/webhook/${hook.id}`).set('Authorization', auth).send({ headers: [{ name: 'X-A', value: {} }, { name: 'X-B', value: 'ok' }, { name: 'X-C', value: [] }] });
      expect(typed.body.data.params.headers).to.equal('headers.0.value must be string. headers.2.value must be string.');
      expect(typed.body.data.details.headers.additional_errors).to.have.length(1);
    });

    it('REST: a header the schema refuses does not hide what the service finds in the others', async () => {
      const auth = await storedApiKeyAuth(w.hp);
      const headers = [{ name: 'X-B' }, { name: 'Host', value: 'example.com' }, { name: 'X-C', value: 5 }, { name: 'X-D', value: 'fine' }, { name: '', value: 'orphan' }];
      const expectEvery = (res: request.Response) => {
        expect([res.status, res.body.code, Object.keys(res.body.data.params)]).to.deep.equal([400, 'rest_invalid_param', ['headers']]);
        const d = res.body.data.details.headers;
        expect([d, ...d.additional_errors].map((x: { code: string; message: string }) => [x.code, x.message])).to.deep.equal([
          ['rest_property_required', "headers.0 must have required property 'value'."],
          ['rest_invalid_type', 'headers.2.value must be string.'],
          ['webhook_invalid', MESSAGES[0]],
          // The refused items keep their places: the fifth header is still "Header 5".
          ['webhook_invalid', 'Header 5 needs a name.'],
        ]);
        expect(res.body.data.params.headers).to.equal(`headers.0 must have required property 'value'. headers.2.value must be string. ${MESSAGES[0]} Header 5 needs a name.`);
      };
      expectEvery(await request(w.hp.app).post(`${NS}/webhook`).set('Authorization', auth).send({ name: 'Hook', webhook_url: 'http://127.0.0.1:9/a', event: 'payment_received', integration: 'zapier', headers }));
      expect(await count()).to.equal(0);
      const hook = await w.api.async.create_webhook({ name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'payment_received', headers: [{ name: 'X-Team', value: 'blue' }] });
      expectEvery(await request(w.hp.app).patch(`${NS}/webhook/${hook.id}`).set('Authorization', auth).send({ headers }));
      expect((await w.api.async.get_webhook(hook.id)).headers).to.deep.equal([{ name: 'X-Team', value: 'blue' }]);
      // A headers argument refused as a whole (too many) is the schema's alone, as before.
      const many = await request(w.hp.app).patch(`${NS}/webhook/${hook.id}`).set('Authorization', auth).send({ headers: Array.from({ length: 21 }, () => ({ name: 'Host', value: 'x' })) });
      expect(many.body.data.details.headers).to.deep.include({ code: 'rest_too_many_items' });
      expect(many.body.data.details.headers.additional_errors).to.equal(undefined);
    });

    it('the Add New form shows every bad header under Custom headers and in the summary', async () => {
      const agent = await loginAgent(w.hp);
      const form = await agent.get('/wp-admin/network/admin.php?page=webhooks-new');
      const rows = Object.fromEntries(HEADERS.slice(0, 4).flatMap((h, i) => [[`header_name_${i}`, h.name], [`header_value_${i}`, h.value]]));
      const res = await agent.post('/wp-admin/network/admin.php?page=webhooks-new').type('form').send({ _wpnonce: nonceIn(form.text), name: 'Hook', url: 'http://127.0.0.1:9/a', event: 'payment_received', ...rows });
      expect(res.status).to.equal(422);
      const fieldError = /<p class="field-error" id="headers-error">([\s\S]*?)<\/p>/.exec(res.text)![1]!;
      const summary = /id="webhook-form-errors">([\s\S]*?)<\/div>/.exec(res.text)![1]!;
      for (const name of ['Host', 'Content-Type', 'X-Note']) {
        expect(fieldError, name).to.include(name);
        expect(summary, name).to.include(name);
      }
      expect(await count()).to.equal(0);
    });
  });
});
