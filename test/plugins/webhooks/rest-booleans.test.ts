import { expect } from 'chai';
import request from 'supertest';
import { makeWebhooksApp, storedApiKeyAuth, type WebhooksApp } from '../../helpers/webhooks.js';

const NS = '/wp-json/wu/v2';
const BASE = 'name=Zap&webhook_url=http%3A%2F%2F127.0.0.1%3A9%2Fh&event=payment_received&integration=zapier';

describe('webhooks REST: boolean arguments as WordPress reads them (rest_sanitize_boolean)', () => {
  let w: WebhooksApp;
  let auth: string;
  beforeEach(async () => {
    w = await makeWebhooksApp();
    auth = await storedApiKeyAuth(w.hp);
  });
  afterEach(async () => {
    await w.hp.close();
  });
  const form = (method: 'post' | 'patch', path: string, body: string) => request(w.hp.app)[method](`${NS}${path}`).set('Authorization', auth).type('form').send(body);

  it('create takes active and hidden form-encoded as 1, 0, true, false (any case)', async () => {
    for (const [sent, read] of [['0', false], ['1', true], ['false', false], ['true', true], ['FALSE', false]] as const) {
      const res = await form('post', '/webhook', `${BASE}&active=${sent}&hidden=${sent}`);
      expect(res.status, sent).to.equal(201);
      expect([res.body.active, res.body.hidden], sent).to.deep.equal([read, read]);
      expect(await w.api.async.get_webhook(res.body.id)).to.include({ active: read, hidden: read });
    }
  });

  it('update takes them form-encoded and as JSON', async () => {
    const id = (await form('post', '/webhook', BASE)).body.id as number;
    expect((await form('patch', `/webhook/${id}`, 'active=0')).body.active).to.equal(false);
    expect((await form('post', `/webhook/${id}`, 'active=true&hidden=1')).body).to.include({ active: true, hidden: true });
    const json = await request(w.hp.app).patch(`${NS}/webhooks/${id}`).set('Authorization', auth).send({ active: false, hidden: 'false' });
    expect(json.body).to.include({ active: false, hidden: false });
  });

  it('the list filters read them from the query string', async () => {
    await form('post', '/webhook', `${BASE}&active=0`);
    await form('post', '/webhook', `${BASE}&active=1`);
    const inactive = await request(w.hp.app).get(`${NS}/webhook?active=0`).set('Authorization', auth);
    expect(inactive.body.map((h: { active: boolean }) => h.active)).to.deep.equal([false]);
    const active = await request(w.hp.app).get(`${NS}/webhook?active=TRUE`).set('Authorization', auth);
    expect(active.body.map((h: { active: boolean }) => h.active)).to.deep.equal([true]);
  });

  it('refuses anything else with 400 rest_invalid_param naming the argument; nothing saved', async () => {
    for (const sent of ['yes', '', '2', 'on']) {
      const res = await form('post', '/webhook', `${BASE}&active=${sent}&hidden=${sent}`);
      expect([res.status, res.body.code], sent).to.deep.equal([400, 'rest_invalid_param']);
      expect(Object.keys(res.body.data.params), sent).to.deep.equal(['active', 'hidden']);
      expect(res.body.data.details.active.code).to.equal('rest_invalid_type');
    }
    const json = await request(w.hp.app).post(`${NS}/webhook`).set('Authorization', auth).send({ name: 'Zap', webhook_url: 'http://127.0.0.1:9/h', event: 'payment_received', integration: 'zapier', active: 'yes' });
    expect(Object.keys(json.body.data.params)).to.deep.equal(['active']);
    const list = await request(w.hp.app).get(`${NS}/webhook?hidden=maybe`).set('Authorization', auth);
    expect([list.status, Object.keys(list.body.data.params)]).to.deep.equal([400, ['hidden']]);
    expect((await w.api.async.list_webhooks({})).total).to.equal(0);
  });
});
