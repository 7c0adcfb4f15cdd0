import { expect } from 'chai';
import { loginAgent, nonceIn, nonceNear, type Agent } from '../../helpers/app.js';
import { Receiver } from '../../helpers/receiver.js';
import { MAX_NAME_LENGTH, MAX_URL_LENGTH, validateWebhook } from '../../../plugins/webhooks/model/webhook.js';
import { fireStored, makeWebhooksApp, type WebhooksApp } from '../../helpers/webhooks.js';

const page = (slug: string, params = '') => `/wp-admin/network/admin.php?page=${slug}${params}`;

describe('plugins/webhooks admin screens', () => {
  let w: WebhooksApp;
  let agent: Agent;
  let receiver: Receiver;
  beforeEach(async () => {
    w = await makeWebhooksApp();
    agent = await loginAgent(w.hp);
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(async () => {
    await w.hp.close();
    await receiver.close();
  });

  const addHook = async (name = 'Mailing list') => await w.api.async.create_webhook({ name, url: `${receiver.url}/hook`, event: 'payment_received' });

  describe('menu and list', () => {
    it('has a Webhooks menu with All Webhooks, Add New Webhook, Events and Deliveries', async () => {
      const res = await agent.get(page('webhooks'));
      expect(res.status).to.equal(200);
      for (const label of ['All Webhooks', 'Add New Webhook', 'Events', 'Deliveries']) expect(res.text).to.include(`>${label}</a>`);
      expect(res.text).to.include('<span class="menu-name">Webhooks</span>');
    });

    it('shows a helpful empty state pointing to Add New Webhook and the events catalogue', async () => {
      const res = await agent.get(page('webhooks'));
      expect(res.text).to.include('No webhooks yet').and.include(page('webhooks-new')).and.include(page('webhooks-events'));
    });

    it('lists webhooks with their columns, row actions and bulk actions, and never the secret', async () => {
      const hook = await addHook();
      const res = await agent.get(page('webhooks'));
      for (const text of ['Mailing list', 'Payment Received', '<code>payment_received</code>', 'badge-success">Active', 'Send Test Event', 'Deactivate', 'Delete', 'Bulk actions']) {
        expect(res.text).to.include(text);
      }
      expect(res.text).to.include(`title="${receiver.url}/hook"`);
      expect(res.text).not.to.include(hook.secret);
    });

    it('searches and filters by status', async () => {
      await addHook('Alpha hook');
      const beta = await addHook('Beta hook');
      await w.api.async.update_webhook(beta.id, { active: false });
      expect((await agent.get(page('webhooks', '&s=Alpha'))).text).to.include('Alpha hook').and.not.include('Beta hook');
      const inactive = await agent.get(page('webhooks', '&status=inactive'));
      expect(inactive.text).to.include('Beta hook').and.not.include('Alpha hook');
    });
  });

  describe('Add New Webhook', () => {
    it('shows Name, URL and Event with real labels, the grouped event list and the default preview', async () => {
      const res = await agent.get(page('webhooks-new', '&event=invoice_sent'));
      expect(res.text).to.include('<label for="name">Name</label>').and.include('<label for="url">URL</label>').and.include('<label for="event">Event</label>');
      expect(res.text).to.include('<optgroup label="Payments">').and.include('Payment Received (payment_received)');
      expect(res.text).to.include('An admin sent the invoice of a payment to the customer.').and.include('&quot;invoice_message&quot;');
    });

    it('declares the validation limits on Name and URL as maxlength, on Add New and Edit (the server checks them too)', async () => {
      const hook = await addHook();
      for (const screen of [page('webhooks-new'), page('webhooks-edit', `&id=${hook.id}`)]) {
        const text = (await agent.get(screen)).text;
        const input = (id: string) => text.match(new RegExp(`<input [^>]*id="${id}"[^>]*>`))?.[0] ?? '';
        expect(input('name'), screen).to.include(`maxlength="${MAX_NAME_LENGTH}"`);
        expect(input('url'), screen).to.include(`maxlength="${MAX_URL_LENGTH}"`);
      }
      // The numbers validateWebhook enforces: one character more is refused.
      const url = (length: number) => `https://example.com/${'a'.repeat(length - 'https://example.com/'.length)}`;
      const valid = (name: string, webhookUrl: string) => () => validateWebhook({ name, url: webhookUrl, event: 'payment_received' }, () => true);
      expect(valid('n'.repeat(MAX_NAME_LENGTH), url(MAX_URL_LENGTH))).not.to.throw();
      expect(valid('n'.repeat(MAX_NAME_LENGTH + 1), url(MAX_URL_LENGTH))).to.throw(/The name can have at most/);
      expect(valid('n'.repeat(MAX_NAME_LENGTH), url(MAX_URL_LENGTH + 1))).to.throw(/The URL can have at most/);
    });

    it('creates an active webhook and lands on its edit screen with a success notice', async () => {
      const form = await agent.get(page('webhooks-new'));
      const res = await agent
        .post(page('webhooks-new'))
        .type('form')
        .send({ _wpnonce: nonceIn(form.text), name: 'CRM', url: `${receiver.url}/crm`, event: 'customer_created' });
      expect(res.status).to.equal(303);
      const hook = (await w.api.async.list_webhooks({})).items[0]!;
      expect(hook).to.include({ name: 'CRM', active: true, event: 'customer_created' });
      expect(res.headers.location).to.equal(page('webhooks-edit', `&id=${hook.id}`));
      expect((await agent.get(res.headers.location!)).text).to.include('Webhook “CRM” added.');
    });

    it('re-renders invalid input with the values kept and an error next to each field', async () => {
      const form = await agent.get(page('webhooks-new'));
      const res = await agent.post(page('webhooks-new')).type('form').send({ _wpnonce: nonceIn(form.text), name: 'x', url: 'ftp://nope', event: 'bogus' });
      expect(res.status).to.equal(422);
      expect(res.text).to.include('id="name-error"').and.include('id="url-error"').and.include('id="event-error"');
      expect(res.text).to.include('value="ftp://nope"').and.include('value="x"');
      expect((await w.api.async.list_webhooks({})).total).to.equal(0);
    });

    it('refuses a missing nonce and a user without the capability', async () => {
      const noNonce = await agent.post(page('webhooks-new')).type('form').send({ name: 'CRM', url: `${receiver.url}/crm`, event: 'customer_created' });
      expect(noNonce.status).to.equal(403);
      await w.hp.host.users.create({ login: 'editor', email: 'e@example.com', password: 'password 123' });
      const editor = await loginAgent(w.hp, 'editor', 'password 123');
      for (const slug of ['webhooks', 'webhooks-new', 'webhooks-events', 'webhooks-deliveries', 'webhooks-edit', 'webhooks-inspector']) {
        expect((await editor.get(page(slug))).status, slug).to.equal(403);
      }
      expect((await editor.post(page('webhooks')).type('form').send({ action: 'delete', webhook_id: '1' })).status).to.equal(403);
    });
  });

  describe('row actions', () => {
    it('Send Test Event without JS: posts, then shows the result in a notice after the redirect', async () => {
      const hook = await addHook();
      const list = await agent.get(page('webhooks'));
      const res = await agent
        .post(page('webhooks'))
        .type('form')
        .send({ _wpnonce: nonceNear(list.text, 'value="test"'), action: 'test', webhook_id: String(hook.id), redirect_to: page('webhooks') });
      expect(res.status).to.equal(303);
      const after = await agent.get(res.headers.location!);
      expect(after.text).to.match(/The endpoint accepted the test event: HTTP 200 in \d+ ms\. Response: ok/);
      expect(receiver.requests).to.have.length(1);
      expect((await w.api.async.list_deliveries({ webhookId: hook.id })).items[0]).to.include({ is_test: 1 });
    });

    it('Send Test Event with JS: answers JSON for the dialog, failures in plain words', async () => {
      const hook = await addHook();
      receiver.reply = () => ({ status: 500, body: '<h1>boom</h1>' });
      const list = await agent.get(page('webhooks'));
      const res = await agent
        .post(page('webhooks'))
        .set('Accept', 'application/json')
        .type('form')
        .send({ _wpnonce: nonceNear(list.text, 'value="test"'), action: 'test', webhook_id: String(hook.id) });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ ok: false, status: 500, errorClass: 'http' });
      expect(res.body.message).to.equal('The test event was not accepted: HTTP 500 Internal Server Error Response: <h1>boom</h1>');
    });

    it('deactivates and activates with a nonce bound to the webhook', async () => {
      const hook = await addHook();
      const list = await agent.get(page('webhooks'));
      const nonce = nonceNear(list.text, 'name="action" value="deactivate"');
      const wrong = await agent.post(page('webhooks')).type('form').send({ _wpnonce: nonce, action: 'deactivate', webhook_id: String(hook.id + 1) });
      expect(wrong.status).to.equal(403);
      await agent.post(page('webhooks')).type('form').send({ _wpnonce: nonce, action: 'deactivate', webhook_id: String(hook.id) });
      expect((await w.api.async.get_webhook(hook.id)).active).to.equal(false);
      const list2 = await agent.get(page('webhooks'));
      expect(list2.text).to.include('badge">Inactive');
      await agent.post(page('webhooks')).type('form').send({ _wpnonce: nonceNear(list2.text, 'name="action" value="activate"'), action: 'activate', webhook_id: String(hook.id) });
      expect((await w.api.async.get_webhook(hook.id)).active).to.equal(true);
    });

    it('deletes only after the confirmation page', async () => {
      const hook = await addHook();
      const confirm = await agent.get(page('webhooks', `&action=confirm-delete&id=${hook.id}`));
      expect(confirm.text).to.include('You are about to delete the webhook').and.include('Yes, Delete Webhook');
      expect((await w.api.async.list_webhooks({})).total).to.equal(1);
      await agent.post(page('webhooks')).type('form').send({ _wpnonce: nonceIn(confirm.text), action: 'delete', webhook_id: String(hook.id) });
      expect((await w.api.async.list_webhooks({})).total).to.equal(0);
      expect((await agent.get(page('webhooks', `&action=confirm-delete&id=${hook.id}`))).status).to.equal(404);
    });

    it('bulk activates, deactivates and deletes with the bulk nonce', async () => {
      const a = await addHook('First hook');
      const b = await addHook('Second hook');
      const list = await agent.get(page('webhooks'));
      const nonce = nonceNear(list.text, 'name="bulk"');
      await agent.post(page('webhooks')).type('form').send({ _wpnonce: nonce, bulk: '1', action: 'deactivate', 'ids[]': [String(a.id), String(b.id)] });
      expect((await w.api.async.list_webhooks({ status: 'inactive' })).total).to.equal(2);
      // Delete asks first, as the row action does: nothing is deleted until confirmed=1.
      const ask = await agent.post(page('webhooks')).type('form').send({ _wpnonce: nonce, bulk: '1', action: 'delete', 'ids[]': [String(a.id)] });
      expect(ask.status).to.equal(200);
      expect(ask.text).to.include('You are about to delete this webhook').and.include('First hook').and.include('Yes, Delete Webhook');
      expect(ask.text).to.include('name="confirmed" value="1"');
      expect((await w.api.async.list_webhooks({})).total).to.equal(2);
      await agent.post(page('webhooks')).type('form').send({ _wpnonce: nonceIn(ask.text), bulk: '1', action: 'delete', 'ids[]': [String(a.id)], confirmed: '1' });
      expect((await w.api.async.list_webhooks({})).total).to.equal(1);
      expect((await agent.post(page('webhooks')).type('form').send({ bulk: '1', action: 'delete', 'ids[]': String(b.id) })).status).to.equal(403);
    });
  });

  describe('Edit webhook', () => {
    it('saves changes including the Active toggle, and validates', async () => {
      const hook = await addHook();
      const url = page('webhooks-edit', `&id=${hook.id}`);
      const form = await agent.get(url);
      expect(form.text).to.include('<label for="active">');
      const nonce = nonceNear(form.text, 'value="save"');
      await agent.post(url).type('form').send({ _wpnonce: nonce, action: 'save', name: 'Renamed', url: `${receiver.url}/new`, event: 'invoice_sent' });
      expect(await w.api.async.get_webhook(hook.id)).to.include({ name: 'Renamed', event: 'invoice_sent', active: false, url: `${receiver.url}/new` });
      const bad = await agent.post(url).type('form').send({ _wpnonce: nonce, action: 'save', name: 'Renamed', url: 'nope', event: 'invoice_sent', active: '1' });
      expect(bad.status).to.equal(422);
      expect(bad.text).to.include('id="url-error"');
    });

    it('keeps the secret hidden behind Reveal, and rotates it with a grace period', async () => {
      const hook = await addHook();
      const url = page('webhooks-edit', `&id=${hook.id}`);
      const form = await agent.get(url);
      expect(form.text).to.include('<summary>Reveal secret</summary>');
      await agent.post(url).type('form').send({ _wpnonce: nonceNear(form.text, 'value="rotate"'), action: 'rotate' });
      const after = await w.api.async.get_webhook(hook.id);
      expect(after.secret).to.not.equal(hook.secret);
      expect(after.previous_secret).to.equal(hook.secret);
      expect((await agent.get(url)).text).to.include('The previous secret is still valid until');
      // Rotating again inside that grace would drop the previous secret: it asks first.
      const nonce = nonceNear(form.text, 'value="rotate"');
      const ask = await agent.post(url).type('form').send({ _wpnonce: nonce, action: 'rotate' });
      expect(ask.status).to.equal(200);
      expect(ask.text).to.include('Rotate Secret Again').and.include('Yes, Rotate Secret');
      expect((await w.api.async.get_webhook(hook.id)).secret).to.equal(after.secret);
      await agent.post(url).type('form').send({ _wpnonce: nonce, action: 'rotate', confirmed: '1' });
      const again = await w.api.async.get_webhook(hook.id);
      expect(again.secret).to.not.equal(after.secret);
      expect(again.previous_secret).to.equal(after.secret);
    });

    it('lists recent deliveries and recovers failed ones since a date', async () => {
      await w.hp.close();
      w = await makeWebhooksApp({ schedule: [0] });
      agent = await loginAgent(w.hp);
      const hook = await addHook();
      receiver.reply = () => ({ status: 503 });
      await fireStored(w, 'payment_received', { n: 1 });
      await w.service.worker.drain();
      const url = page('webhooks-edit', `&id=${hook.id}`);
      const form = await agent.get(url);
      expect(form.text).to.include('Recent deliveries').and.include('badge-error">Failed');
      const since = new Date(w.clock.now - 3600_000).toISOString().slice(0, 16);
      await agent.post(url).type('form').send({ _wpnonce: nonceNear(form.text, 'value="recover"'), action: 'recover', since });
      expect((await agent.get(url)).text).to.include('1 failed delivery was queued to be sent again.');
      expect((await w.api.async.list_deliveries({ status: 'pending' })).total).to.equal(1);
    });

    it('answers 404 for a webhook that does not exist', async () => {
      expect((await agent.get(page('webhooks-edit', '&id=999'))).status).to.equal(404);
    });
  });

  describe('deliveries', () => {
    it('lists, filters and opens a delivery with request and every attempt, then resends it', async () => {
      const hook = await addHook();
      receiver.reply = () => ({ status: 410, body: '<script>alert("gone")</script>', headers: { 'x-reason': 'moved' } });
      await fireStored(w, 'payment_received', { payment_id: 7 });
      await w.service.worker.drain();
      const list = await agent.get(page('webhooks-deliveries', '&status=failed'));
      expect(list.text).to.include('badge-error">Failed');
      expect((await agent.get(page('webhooks-deliveries', '&status=succeeded'))).text).to.include('No deliveries match these filters');
      const d = (await w.api.async.list_deliveries({ webhookId: hook.id })).items[0]!;
      const detail = await agent.get(page('webhooks-deliveries', `&delivery=${d.id}`));
      expect(detail.text).to.include(d.msg_id).and.include('&quot;payment_id&quot;: 7').and.include('<code>x-reason</code>');
      expect(detail.text).to.include('&lt;script&gt;alert(&quot;gone&quot;)&lt;/script&gt;').and.not.include('<script>alert');
      expect(detail.text).to.include('<code>webhook-signature</code>').and.not.include(hook.secret);
      // The 410 disabled the webhook: Resend is not offered until it is active again.
      expect(detail.text).to.include('Cannot be resent').and.not.include('name="delivery_id"');
      await w.api.async.update_webhook(hook.id, { active: true });
      receiver.reply = () => ({ status: 200 });
      const again = await agent.get(page('webhooks-deliveries', `&delivery=${d.id}`));
      await agent.post(page('webhooks-deliveries')).type('form').send({ _wpnonce: nonceNear(again.text, 'name="delivery_id"'), delivery_id: String(d.id) });
      await w.service.worker.drain();
      expect((await w.api.async.get_delivery(d.id)).delivery.status).to.equal('succeeded');
      expect((await agent.get(page('webhooks-deliveries', '&delivery=424242'))).status).to.equal(404);
    });

    it('“Any time” and “Show test sends too” lift their own filter and keep every other one', async () => {
      const hook = await addHook();
      const since = w.clock.now - 3600_000;
      const filtered = page('webhooks-deliveries', `&webhook_id=${hook.id}&status=succeeded&event=payment_received&attempted_since=${since}&is_test=0&paged=2`);
      const text = (await agent.get(filtered)).text;
      const link = (label: string) => new URLSearchParams(new URL(text.match(new RegExp(`<a href="([^"]+)">${label}</a>`))![1]!.replace(/&amp;/g, '&'), 'http://x').search);
      const kept = { page: 'webhooks-deliveries', status: 'succeeded', webhook_id: String(hook.id), event: 'payment_received' };
      expect(Object.fromEntries(link('Any time')), 'Any time').to.deep.equal({ ...kept, is_test: '0' });
      expect(Object.fromEntries(link('Show test sends too')), 'Show test sends too').to.deep.equal({ ...kept, attempted_since: String(since) });
    });
  });

  describe('events catalogue', () => {
    it('lists every registered event with label, slug, description, source and pretty sample payload', async () => {
      w.hp.hooks.add_action('wu_register_all_events', (r: { wu_register_event_type: Function }) =>
        r.wu_register_event_type('shop_evil', { name: '<b>Evil</b> event', desc: 'desc <i>x</i>', payload: { html: '<script>' }, source: 'shop' }),
      );
      w.hp.hooks.do_action('init');
      const res = await agent.get(page('webhooks-events'));
      for (const t of w.service.wu_get_event_types()) expect(res.text).to.include(`id="event-${t.slug}"`);
      expect(res.text).to.include('&lt;b&gt;Evil&lt;/b&gt; event').and.include('&quot;html&quot;: &quot;&lt;script&gt;&quot;').and.include('Registered by</dt><dd>shop');
      expect(res.text).to.include('data-copy-target="event-payment_received-sample"');
    });
  });
});
