import { expect } from 'chai';
import request from 'supertest';
import { loginAgent, nonceNear, type Agent } from '../../helpers/app.js';
import { Receiver } from '../../helpers/receiver.js';
import { fireStored, makeWebhooksApp, storedApiKeyAuth, type WebhooksApp } from '../../helpers/webhooks.js';

const NS = '/wp-json/wu/v2';
const HUGE = '99999999999999999999';
// One past PostgreSQL's integer: refused alike on SQLite, where it would fit.
const PAST_INT = '2147483648';

// Review findings on the webhooks plugin: the dashboard counted test sends; numbers past the
// id columns' range were a 500 (SQLite) or a 400 without the argument (PostgreSQL); `_fields`
// emptied error bodies.
describe('plugins/webhooks: test sends on the dashboard, numeric bounds, _fields on errors', () => {
  let w: WebhooksApp;
  let agent: Agent;
  let auth: string;
  let receiver: Receiver;
  beforeEach(async () => {
    w = await makeWebhooksApp({ inspectorRatePerMinute: 1000 }, { port: 0, loginAttempts: { perIp: 10_000, perAccount: 5, windowMs: 60_000 } });
    agent = await loginAgent(w.hp);
    auth = await storedApiKeyAuth(w.hp);
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(async () => {
    await w.hp.close();
    await receiver.close();
  });

  /** The dashboard widget's counts: label → { n, href }. */
  async function widgetCounts(): Promise<Map<string, { n: number; href: string }>> {
    const dash = await agent.get('/wp-admin/network/');
    const widget = dash.text.slice(dash.text.indexOf('id="webhooks-health"'));
    const section = widget.slice(0, widget.indexOf('</section>'));
    return new Map([...section.matchAll(/<a href="([^"]+)"><strong[^>]*>(\d+)<\/strong> ([^<]+)<\/a>/g)].map((m) => [m[3]!, { n: Number(m[2]), href: m[1]!.replace(/&amp;/g, '&') }]));
  }

  it('the dashboard widget counts no test sends, and its delivery links carry is_test=0', async () => {
    const hook = await w.api.async.create_webhook({ name: 'Dash', url: `${receiver.url}/hook`, event: 'payment_received' });
    receiver.reply = () => ({ status: 500 });
    for (let i = 0; i < 2; i++) {
      const res = await request(w.hp.app).post(`${NS}/webhook/${hook.id}/test`).set('Authorization', auth);
      expect(res.status).to.equal(200);
      expect(res.body.ok).to.equal(false);
    }
    let counts = await widgetCounts();
    expect(counts.get('deliveries attempted in the last hour')!.n).to.equal(0);
    expect(counts.get('failed in the last hour')!.n).to.equal(0);
    for (const label of ['deliveries attempted in the last hour', 'failed in the last hour', 'retrying']) {
      const { href } = counts.get(label)!;
      expect(new URL(href, 'http://x').searchParams.get('is_test'), label).to.equal('0');
      const list = await agent.get(href);
      expect(list.status).to.equal(200);
      expect(list.text, label).to.not.match(/<span class="displaying-num">/);
    }

    receiver.reply = () => ({ status: 200 });
    await fireStored(w, 'payment_received', { payment_id: 1 });
    await w.service.worker.drain();
    counts = await widgetCounts();
    expect(counts.get('deliveries attempted in the last hour')!.n).to.equal(1);
    expect(counts.get('failed in the last hour')!.n).to.equal(0);
    const list = await agent.get(counts.get('deliveries attempted in the last hour')!.href);
    expect(list.text).to.include('<span class="displaying-num">1 item</span>');
  });

  it('page, offset and ids past PostgreSQL’s integer are the schema’s 400 naming the argument, on every database', async () => {
    const hook = await w.api.async.create_webhook({ name: 'Paged', url: `${receiver.url}/hook`, event: 'payment_received' });
    const cases: Array<[string, string]> = [
      [`${NS}/webhook?page=${HUGE}`, 'page'],
      [`${NS}/webhook?page=${PAST_INT}`, 'page'],
      [`${NS}/webhook?offset=${HUGE}`, 'offset'],
      [`${NS}/webhooks?offset=${PAST_INT}`, 'offset'],
      [`${NS}/webhook/${hook.id}/deliveries?page=${HUGE}`, 'page'],
      [`${NS}/webhook/${hook.id}/deliveries?offset=${PAST_INT}`, 'offset'],
      [`${NS}/webhook/${PAST_INT}`, 'id'],
      [`${NS}/webhook/${HUGE}/deliveries`, 'id'],
      [`${NS}/delivery/${PAST_INT}`, 'id'],
    ];
    for (const [url, param] of cases) {
      const res = await request(w.hp.app).get(url).set('Authorization', auth);
      expect(res.status, url).to.equal(400);
      expect(res.body.code, url).to.equal('rest_invalid_param');
      expect(Object.keys(res.body.data.params), url).to.deep.equal([param]);
      expect(res.body.data.details[param].code, url).to.equal('rest_out_of_bounds');
    }
    for (const [method, url] of [
      ['post', `${NS}/webhook/${PAST_INT}/test`],
      ['post', `${NS}/delivery/${HUGE}/resend`],
      ['delete', `${NS}/webhook/${PAST_INT}`],
    ] as const) {
      const res = await request(w.hp.app)[method](url).set('Authorization', auth);
      expect(res.status, url).to.equal(400);
      expect(res.body.data.params, url).to.have.property('id');
    }
    // The bound itself is accepted.
    expect((await request(w.hp.app).get(`${NS}/webhook?offset=2147483647`).set('Authorization', auth)).body).to.deep.equal([]);
    expect((await request(w.hp.app).get(`${NS}/webhook/2147483647`).set('Authorization', auth)).status).to.equal(404);
    const described = await request(w.hp.app).options(`${NS}/webhook`).set('Authorization', auth);
    expect(described.body.endpoints[0].args.page.maximum).to.equal(2147483647);
    expect(described.body.endpoints[0].args.page.description).to.include('PostgreSQL');
  });

  it('admin screens read out-of-range numbers in the query as absent, never a 500', async () => {
    const hook = await w.api.async.create_webhook({ name: 'Admin', url: `${receiver.url}/hook`, event: 'payment_received' });
    const screen = (q: string) => agent.get(`/wp-admin/network/admin.php?page=${q}`);
    for (const q of [
      `webhooks-deliveries&attempted_since=99999999999999999999999`,
      `webhooks-deliveries&attempted_since=8640000000000001`,
      `webhooks-deliveries&webhook_id=${HUGE}`,
      `webhooks-deliveries&webhook_id=${PAST_INT}`,
      `webhooks-deliveries&delivery=${HUGE}`,
      `webhooks-deliveries&paged=${HUGE}`,
      `webhooks&paged=${HUGE}`,
    ]) {
      const res = await screen(q);
      expect(res.status, q).to.equal(200);
      expect(res.text, q).to.not.include('Attempted since');
    }
    // The latest valid time still filters (and renders its date).
    expect((await screen('webhooks-deliveries&attempted_since=8640000000000000')).text).to.include('Attempted since');
    for (const q of [`webhooks-edit&id=${HUGE}`, `webhooks-edit&id=${PAST_INT}`, `webhooks&action=confirm-delete&id=${PAST_INT}`]) {
      expect((await screen(q)).status, q).to.equal(404);
    }
    expect((await screen(`webhooks-edit&id=${hook.id}`)).status).to.equal(200);

    // The inspector's raw view of an id past the range: no such request (404), not a store error.
    const inspector = await screen('webhooks-inspector');
    const created = await agent.post('/wp-admin/network/admin.php?page=webhooks-inspector').type('form').send({ _wpnonce: nonceNear(inspector.text, 'value="create"'), action: 'create' });
    const token = new URL(created.headers.location!, 'http://x').searchParams.get('inbox')!;
    for (const raw of [HUGE, PAST_INT]) expect((await screen(`webhooks-inspector&inbox=${token}&raw=${raw}`)).status, raw).to.equal(404);
  });

  it('_fields leaves an error body whole (a page past the last keeps its code and message)', async () => {
    await w.api.async.create_webhook({ name: 'Fields', url: `${receiver.url}/hook`, event: 'payment_received' });
    const past = await request(w.hp.app).get(`${NS}/webhook?page=5&_fields=id`).set('Authorization', auth);
    expect(past.status).to.equal(400);
    expect(past.body).to.include({ code: 'rest_post_invalid_page_number' });
    expect(past.body.message).to.be.a('string').and.not.equal('');
    const ok = await request(w.hp.app).get(`${NS}/webhook?_fields=id`).set('Authorization', auth);
    expect(ok.status).to.equal(200);
    expect(Object.keys(ok.body[0])).to.deep.equal(['id']);
  });
});
