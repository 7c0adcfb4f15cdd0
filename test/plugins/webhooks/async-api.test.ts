import { expect } from 'chai';
import { WebhookError } from '../../../plugins/webhooks/errors.js';
import type { WebhooksApi, WebhooksAsyncApi } from '../../../plugins/webhooks/api.js';
import type { WebhooksClient } from '../../fixtures/plugins/webhooks-client/index.js';
import { firstPassOnly, HOST_BACKEND, sqliteHostOnly } from '../../helpers/app.js';
import { freshDatabaseUrl, TEST_DATABASE_URL } from '../../helpers/backends.js';
import { pluginsFolder } from '../../helpers/child-host.js';
import { Receiver } from '../../helpers/receiver.js';
import { makeWebhooksApp, rejectionOf, type WebhooksApp } from '../../helpers/webhooks.js';

/** WebhooksApi's synchronous webhook and delivery-log methods, each with arguments to call it with. */
const SYNC_CALLS: Array<[keyof WebhooksAsyncApi, (api: WebhooksApi, id: number) => unknown]> = [
  ['create_webhook', (api) => api.create_webhook({ name: 'Sync', url: 'http://127.0.0.1:9/s', event: 'client_order_placed' })],
  ['get_webhook', (api, id) => api.get_webhook(id)],
  ['update_webhook', (api, id) => api.update_webhook(id, { name: 'Renamed' })],
  ['delete_webhook', (api, id) => api.delete_webhook(id)],
  ['list_webhooks', (api) => api.list_webhooks()],
  ['rotate_secret', (api, id) => api.rotate_secret(id)],
  ['list_deliveries', (api) => api.list_deliveries()],
  ['get_delivery', (api) => api.get_delivery(1)],
  ['resend_delivery', (api) => api.resend_delivery(1)],
  ['recover_failed_deliveries', (api, id) => api.recover_failed_deliveries(id, 0)],
];

/**
 * Another plugin (test/fixtures/plugins/webhooks-client) on the webhooks plugin's provided
 * service: through `WebhooksApi.async` it works on whichever backend the host runs on; the
 * synchronous methods work on SQLite and throw SYNC_NEEDS_SQLITE, naming their twin, on PostgreSQL.
 */
describe('plugins/webhooks: another plugin on WebhooksApi.async', () => {
  const plugins = pluginsFolder(['webhooks', 'memberships'], ['webhooks-client']);
  let receiver: Receiver;
  let w: WebhooksApp | undefined;
  const host = (databaseUrl?: string) =>
    makeWebhooksApp({}, { pluginsDir: plugins.dir, pluginSlugs: ['webhooks', 'memberships', 'webhooks-client'], ...(databaseUrl ? { databaseUrl } : {}) });
  const clientOf = (app: WebhooksApp) => app.hp.plugins.apiOf('webhooks-client')!.services.get<WebhooksClient>('webhooks-client')!;
  beforeEach(async () => {
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(async () => {
    await w?.hp.close();
    w = undefined;
    await receiver.close();
  });
  after(() => plugins.remove());

  it(`subscribes, fires in its own transaction, reads the log, resends, rotates and deletes (this pass: ${HOST_BACKEND})`, async () => {
    w = await host();
    expect(w.hp.query.dialect).to.equal(HOST_BACKEND);
    const client = clientOf(w);
    const webhooks = client.webhooks().async;
    const hook = await client.subscribe(`${receiver.url}/orders`);
    expect(hook).to.include({ name: 'Client orders', event: 'client_order_placed', active: true });
    expect(await webhooks.get_webhook(hook.id)).to.deep.equal(hook);
    expect((await webhooks.list_webhooks({ event: 'client_order_placed' })).items.map((h) => h.id)).to.deep.equal([hook.id]);

    expect(await client.placeOrder(7)).to.match(/^evt_/);
    await w.service.worker.drain();
    expect(receiver.requests.map((r) => JSON.parse(r.body).order)).to.deep.equal([7]);
    const { items, total } = await webhooks.list_deliveries({ webhookId: hook.id });
    expect(total).to.equal(1);
    expect(items[0]).to.include({ status: 'succeeded', event: 'client_order_placed' });
    const detail = await webhooks.get_delivery(items[0]!.id);
    expect(JSON.parse(detail.body)).to.include({ order: 7 });
    expect(detail.attempts).to.have.length(1);

    expect(await webhooks.resend_delivery(items[0]!.id)).to.include({ status: 'pending' });
    await w.service.worker.drain();
    expect(receiver.requests).to.have.length(2);
    expect(receiver.requests[1]!.headers['webhook-id'], 'the same message id').to.equal(receiver.requests[0]!.headers['webhook-id']);

    const rotated = await webhooks.rotate_secret(hook.id);
    expect(rotated.secret).to.not.equal(hook.secret);
    expect(rotated.previous_secret).to.equal(hook.secret);
    expect(await webhooks.update_webhook(hook.id, { active: false })).to.include({ active: false });
    expect(await webhooks.recover_failed_deliveries(hook.id, 0).then(() => 'resolved', (e: WebhookError) => e.code)).to.equal('WEBHOOK_INACTIVE');
    expect(await webhooks.delete_webhook(hook.id)).to.equal(true);
    expect(await rejectionOf(webhooks.get_webhook(hook.id))).to.be.instanceOf(WebhookError).with.property('code', 'WEBHOOK_NOT_FOUND');
  });

  describe('the synchronous methods on SQLite', () => {
    sqliteHostOnly('WebhooksApi’s synchronous methods need the synchronous SQLite handle');

    it('work, and agree with their async twins', async () => {
      w = await host();
      const api = clientOf(w).webhooks();
      const hook = api.create_webhook({ name: 'Sync', url: `${receiver.url}/s`, event: 'client_order_placed' });
      expect(await api.async.get_webhook(hook.id)).to.deep.equal(api.get_webhook(hook.id));
      expect(api.list_webhooks().total).to.equal(1);
      expect(api.list_deliveries().total).to.equal(0);
    });
  });

  describe('the synchronous methods on PostgreSQL', () => {
    // Its own PostgreSQL host, whichever the pass: it runs once, whenever TEST_DATABASE_URL is set.
    firstPassOnly();
    before(function () {
      if (!TEST_DATABASE_URL) this.skip();
    });

    it('each throws WebhookError SYNC_NEEDS_SQLITE naming its webhooks.async twin, which works; the event methods stay synchronous', async () => {
      w = await host(await freshDatabaseUrl());
      expect(w.hp.query.dialect).to.equal('postgres');
      const api = clientOf(w).webhooks();
      const hook = await clientOf(w).subscribe(`${receiver.url}/orders`);
      for (const [method, call] of SYNC_CALLS) {
        let thrown: unknown;
        try {
          call(api, hook.id);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, method).to.be.instanceOf(WebhookError);
        expect(thrown, method).to.have.property('code', 'SYNC_NEEDS_SQLITE');
        expect((thrown as Error).message, method).to.include(`webhooks.async.${method}(`).and.include('PostgreSQL');
      }
      expect((await api.async.list_webhooks()).items.map((h) => h.id), 'nothing changed by the refused calls').to.deep.equal([hook.id]);
      expect(api.wu_get_event_type('client_order_placed')).to.include({ name: 'Order Placed' });
      expect(await clientOf(w).placeOrder(1)).to.match(/^evt_/);
      expect((await api.async.list_deliveries({ webhookId: hook.id })).total).to.equal(1);
    });
  });
});
