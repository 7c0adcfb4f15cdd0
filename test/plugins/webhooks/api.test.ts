import { expect } from 'chai';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { runInUnitOfWork } from '../../../core/http/unit-of-work.js';
import { WebhookError } from '../../../plugins/webhooks/errors.js';
import { Receiver } from '../../helpers/receiver.js';
import { sqliteHostOnly } from '../../helpers/app.js';
import { fireStored, makeWebhooksApp, rejectionOf, type WebhooksApp } from '../../helpers/webhooks.js';

describe('plugins/webhooks API', () => {
  let w: WebhooksApp;
  let receiver: Receiver;
  beforeEach(async () => {
    w = await makeWebhooksApp();
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(async () => {
    await w.hp.close();
    await receiver.close();
  });

  describe('events registry', () => {
    it('has the catalogue with the original slugs and payload keys, plus the host’s own events', () => {
      const slugs = w.service.wu_get_event_types().map((t) => t.slug);
      expect(slugs).to.include.members([
        'payment_received', 'site_published', 'confirm_email_address', 'domain_created', 'renewal_payment_created', 'invoice_sent',
        'payment_failed', 'membership_expired', 'customer_created', 'customer_updated', 'membership_created', 'membership_updated',
        'payment_created', 'payment_updated', 'user_created', 'site_created',
      ]);
      const sample = w.service.wu_get_event_type('payment_received')!.sample();
      for (const key of ['payment_id', 'payment_total_raw', 'membership_reference_code', 'customer_user_email', 'customer_manage_url']) expect(sample).to.have.property(key);
      expect(w.service.wu_get_event_type('domain_created')!.sample()).to.include.keys('domain_domain', 'site_url', 'membership_id', 'customer_id');
      expect(w.service.wu_get_event_type('renewal_payment_created')!.sample()).to.include.keys('default_payment_url', 'payment_id');
      expect(w.service.wu_get_event_type('invoice_sent')!.sample()).to.include.keys('payment_url', 'invoice_message', 'payment_id', 'customer_id');
      expect(w.service.wu_get_event_type('payment_failed')!.sample()).to.include.keys('membership_id', 'customer_id', 'payment_gateway');
      expect(w.service.wu_get_event_type('confirm_email_address')!.sample()).to.include.keys('verification_link', 'customer_id');
    });

    it('collects event types from wu_register_all_events callbacks', async () => {
      w.hp.hooks.add_action('wu_register_all_events', (r: { wu_register_event_type: Function }) =>
        r.wu_register_event_type('order_shipped', { name: 'Order Shipped', desc: 'An order left the warehouse.', payload: () => ({ order_id: 1 }), source: 'shop' }),
      );
      w.hp.hooks.do_action('init');
      expect(w.service.wu_get_event_type('order_shipped')).to.include({ name: 'Order Shipped', source: 'shop' });
      expect(w.service.wu_get_event_type('order_shipped')!.sample()).to.deep.equal({ order_id: 1 });
    });

    it('wu_do_event: unknown slug → warning and false; known → filter, actions, event id', async () => {
      expect(w.service.wu_do_event('no_such_event', {})).to.equal(false);
      const seen: unknown[] = [];
      w.hp.hooks.add_filter('wu_event_payload', (p: Record<string, unknown>, slug: string) => ({ ...p, filtered_for: slug }), 10, 2);
      w.hp.hooks.add_action('wu_event', (slug: string, p: unknown) => void seen.push(['wu_event', slug, p]), 10, 2);
      w.hp.hooks.add_action('wu_event_invoice_sent', (p: unknown) => void seen.push(['wu_event_invoice_sent', p]));
      const id = w.service.wu_do_event('invoice_sent', { payment_id: 3 });
      expect(id).to.match(/^evt_/);
      const expected = { payment_id: 3, hookpress_version: w.hp.plugins.apiOf('webhooks')!.hostVersion, filtered_for: 'invoice_sent' };
      expect(seen).to.deep.equal([['wu_event', 'invoice_sent', expected], ['wu_event_invoice_sent', expected]]);
    });

    it('fired inside a plugin’s api.db transaction, an event commits or rolls back with it; nothing is handed to the worker before COMMIT', async () => {
      await w.api.async.create_webhook({ name: 'Outbox', url: `${receiver.url}/o`, event: 'payment_received' });
      // Another plugin's change and the event its code fires, in that plugin's own transaction (either backend).
      const db = w.hp.plugins.apiOf('memberships')!.db;
      const failed = await rejectionOf(
        db.transaction().execute(async () => {
          w.service.wu_do_event('payment_received', { n: 'rolled back' });
          throw new Error('the business change failed');
        }),
      );
      expect(failed.message).to.equal('the business change failed');
      await db.transaction().execute(async () => {
        w.service.wu_do_event('payment_received', { n: 'committed' });
        expect(w.service.worker.stats(), 'nothing handed over inside the transaction').to.deep.equal({ inflight: 0, queued: 0 });
      });
      await w.service.worker.drain();
      expect(receiver.requests.map((r) => JSON.parse(r.body).n)).to.deep.equal(['committed']);
    });

    describe('in a synchronous SQLite transaction (hp.db)', () => {
      sqliteHostOnly('hp.db.transaction is the synchronous SQLite handle; and outside a transaction an event is written and handed to the worker synchronously only on SQLite (PostgreSQL batches it: event-batches.test.ts)');

      it('fired inside the caller’s transaction, an event commits or rolls back with it (transactional outbox)', async () => {
        await w.api.async.create_webhook({ name: 'Outbox', url: `${receiver.url}/o`, event: 'payment_received' });
        expect(() =>
          w.hp.db.transaction(() => {
            w.service.wu_do_event('payment_received', { n: 'rolled back' });
            throw new Error('the business change failed');
          })(),
        ).to.throw('the business change failed');
        w.hp.db.transaction(() => void w.service.wu_do_event('payment_received', { n: 'committed' }))();
        await w.service.worker.drain();
        expect(receiver.requests.map((r) => JSON.parse(r.body).n)).to.deep.equal(['committed']);
      });

      it('a running worker takes a fresh delivery at once, but never before the caller’s transaction commits', async () => {
        await w.hp.close();
        w = await makeWebhooksApp({ autoStart: true });
        await w.api.async.create_webhook({ name: 'Fast path', url: `${receiver.url}/f`, event: 'payment_received' });
        w.hp.db.transaction(() => {
          w.service.wu_do_event('payment_received', { n: 1 });
          expect(w.service.worker.stats(), 'nothing handed over inside the transaction').to.deep.equal({ inflight: 0, queued: 0 });
        })();
        w.service.wu_do_event('payment_received', { n: 2 });
        expect(w.service.worker.stats().inflight, 'handed over at once outside one').to.equal(1);
        await receiver.waitFor(2);
        expect(receiver.requests.map((r) => JSON.parse(r.body).n).sort()).to.deep.equal([1, 2]);
      });
    });

    it('binds an event to any action with hook: { action, accepted_args, to_payload }', async () => {
      w.service.register_event_type('coupon_used', {
        name: 'Coupon Used',
        desc: 'A coupon was redeemed.',
        payload: { coupon: 'SAVE10', order: 1 },
        hook: { action: 'shop_coupon_used', accepted_args: 2, to_payload: (coupon: string, order: number) => ({ coupon, order }) },
      });
      await w.api.async.create_webhook({ name: 'Coupons', url: `${receiver.url}/c`, event: 'coupon_used' });
      // As while serving a request: the event is stored once the unit of work settles (either backend).
      await runInUnitOfWork(() => w.hp.hooks.do_action('shop_coupon_used', 'WELCOME', 42));
      await w.service.worker.drain();
      expect(JSON.parse(receiver.requests[0]!.body)).to.include({ coupon: 'WELCOME', order: 42 });
    });

    it('turns a new user account into the user_created event (the mailing-list example)', async () => {
      await w.api.async.create_webhook({ name: 'Mailing list', url: `${receiver.url}/list`, event: 'user_created' });
      await runInUnitOfWork(() => w.hp.host.users.create({ login: 'newbie', email: 'newbie@example.com', display_name: 'New Bie', password: 'password 123' }));
      await w.service.worker.drain();
      expect(JSON.parse(receiver.requests[0]!.body)).to.include({ user_login: 'newbie', user_email: 'newbie@example.com', user_display_name: 'New Bie' });
    });

    it('rejects bad event types with typed errors', () => {
      const bad: Array<[string, unknown]> = [
        ['Bad Slug', { name: 'x', desc: '', payload: {} }],
        ['ok_slug', { name: '', desc: '', payload: {} }],
        ['ok_slug', { name: 'x', desc: '', payload: 'nope' }],
        ['ok_slug', { name: 'x', desc: '', payload: {}, hook: { action: 'a' } }],
      ];
      for (const [slug, def] of bad) {
        expect(() => w.service.register_event_type(slug, def as never)).to.throw(WebhookError).with.property('code', 'EVENT_TYPE_INVALID');
      }
    });
  });

  describe('webhooks', () => {
    it('creates an active webhook with a whsec_ secret of 32 random bytes', async () => {
      const wh = await w.api.async.create_webhook({ name: 'CRM', url: 'https://crm.example.com/hooks?x=1', event: 'customer_created' });
      expect(wh).to.include({ active: true, event_count: 0, name: 'CRM', url: 'https://crm.example.com/hooks?x=1' });
      expect(wh.secret).to.match(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(wh.secret.slice(6), 'base64')).to.have.length(32);
    });

    it('reports every invalid field with a typed error', async () => {
      try {
        await w.api.async.create_webhook({ name: 'x', url: 'ftp://host/file', event: 'nope' });
        expect.fail('should throw');
      } catch (error) {
        expect(error).to.be.instanceOf(WebhookError);
        expect((error as { fields: Record<string, string> }).fields).to.have.keys('name', 'url', 'event');
      }
      const urls: Array<[string, RegExp]> = [
        ['', /Enter the URL/],
        ['/relative', /absolute URL/],
        ['https://user:pass@example.com/', /credentials/],
        ['javascript:alert(1)', /http:\/\/ or https:\/\//],
      ];
      for (const [url, message] of urls) {
        expect((await rejectionOf(w.api.async.create_webhook({ name: 'Name', url, event: 'payment_received' }))).message).to.match(message);
      }
      expect(await rejectionOf(w.api.async.get_webhook(999))).to.be.instanceOf(WebhookError).with.property('code', 'WEBHOOK_NOT_FOUND');
      expect(await rejectionOf(w.api.async.update_webhook(999, {}))).to.be.instanceOf(WebhookError).with.property('code', 'WEBHOOK_NOT_FOUND');
      expect(await rejectionOf(w.api.async.list_deliveries({ status: 'weird' }))).to.be.instanceOf(WebhookError).with.property('field', 'status');
      expect(await rejectionOf(w.api.async.list_deliveries({ limit: 0 }))).to.be.instanceOf(WebhookError).with.property('field', 'limit');
      expect(await rejectionOf(w.api.async.get_delivery(12345))).to.be.instanceOf(WebhookError).with.property('code', 'DELIVERY_NOT_FOUND');
      expect(await rejectionOf(w.api.async.recover_failed_deliveries(999, 0))).to.be.instanceOf(WebhookError).with.property('code', 'WEBHOOK_NOT_FOUND');
      expect(() => w.service.wu_do_event('payment_received', 'text' as never)).to.throw(WebhookError).with.property('code', 'INVALID_ARGUMENT');
      expect(() => w.service.wu_do_event('payment_received', { big: 1n })).to.throw(WebhookError, /cannot be sent as JSON/);
    });

    it('deleting a webhook deletes its deliveries', async () => {
      const wh = await w.api.async.create_webhook({ name: 'Gone', url: `${receiver.url}/g`, event: 'payment_received' });
      await fireStored(w, 'payment_received', {});
      expect((await w.api.async.list_deliveries({})).total).to.equal(1);
      expect(await w.api.async.delete_webhook(wh.id)).to.equal(true);
      expect((await w.api.async.list_deliveries({})).total).to.equal(0);
      await w.service.worker.drain();
      expect(receiver.requests).to.have.length(0);
    });
  });

  describe('send_test_event', () => {
    it('posts the signed sample payload marked as a test, records a test attempt, leaves the count alone', async () => {
      const wh = await w.api.async.create_webhook({ name: 'Bin', url: `${receiver.url}/bin`, event: 'payment_received' });
      receiver.reply = () => ({ status: 200, body: '{"received":true}' });
      const result = await w.service.send_test_event(wh.id);
      expect(result).to.include({ ok: true, status: 200, responseExcerpt: '{"received":true}', errorClass: null });
      const req = receiver.requests[0]!;
      expect(req.headers['x-hookpress-test']).to.equal('true');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      expect(new StandardWebhook(wh.secret).verify(req.body, headers)).to.include.keys('payment_id', 'customer_id', 'membership_id');
      expect((await w.api.async.get_webhook(wh.id)).event_count).to.equal(0);
      const d = await w.api.async.get_delivery(result.deliveryId);
      expect(d.delivery).to.include({ is_test: 1, status: 'succeeded' });
      expect(d.attempts.map((a) => a.trigger)).to.deep.equal(['test']);
      await w.service.worker.drain();
      expect(receiver.requests, 'the worker does not send the test again').to.have.length(1);
    });

    it('explains failures in plain words', async () => {
      const port = Number(new URL(receiver.url).port);
      await receiver.close();
      const refused = await w.service.send_test_event({ url: `http://127.0.0.1:${port}/x`, event: 'payment_received' });
      expect(refused).to.include({ ok: false, errorClass: 'refused', errorMessage: `Connection refused by 127.0.0.1:${port}.` });
      receiver = new Receiver();
      await receiver.start();
      receiver.reply = () => ({ status: 500, body: 'boom' });
      const http500 = await w.service.send_test_event({ url: `${receiver.url}/x`, event: 'payment_received' });
      expect(http500).to.include({ ok: false, status: 500, errorClass: 'http', errorMessage: 'HTTP 500 Internal Server Error', responseExcerpt: 'boom' });
      const dns = await w.service.send_test_event({ url: 'http://does-not-exist.invalid/x', event: 'payment_received' });
      expect(dns).to.include({ ok: false, errorClass: 'dns', errorMessage: 'Could not resolve host does-not-exist.invalid.' });
    });

    it('rejects bad targets with typed errors', async () => {
      for (const target of [999, { url: 'nope', event: 'payment_received' }, { url: 'http://127.0.0.1/', event: 'nope' }]) {
        const err = await w.service.send_test_event(target as never).then(() => null, (e: unknown) => e);
        expect(err).to.be.instanceOf(WebhookError);
      }
    });
  });
});
