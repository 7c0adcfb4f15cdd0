import { expect } from 'chai';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { runInUnitOfWork } from '../../../core/http/unit-of-work.js';
import { Receiver, type Received } from '../../helpers/receiver.js';
import { fireStored, makeWebhooksApp, storedNotice, type WebhooksApp } from '../../helpers/webhooks.js';
import { DEFAULT_SCHEDULE_MS } from '../../../plugins/webhooks/delivery/retry-policy.js';

const flatHeaders = (r: Received): Record<string, string> =>
  Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));

describe('plugins/webhooks delivery engine', () => {
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

  const hook = async (over: Record<string, unknown> = {}) =>
    await w.api.async.create_webhook({ name: 'Mailing list', url: `${receiver.url}/hook`, event: 'payment_received', ...over });

  describe('wire format (Standard Webhooks)', () => {
    it('sends the webhook\'s custom headers (prepare stage), never over the signature headers', async () => {
      await hook({ headers: [{ name: 'Authorization', value: 'Bearer abc' }, { name: 'X-Team', value: 'billing' }] });
      await fireStored(w, 'payment_received', { payment_id: 1 });
      await w.service.worker.drain();
      const h = receiver.requests[0]!.headers;
      expect(h).to.include({ authorization: 'Bearer abc', 'x-team': 'billing', 'content-type': 'application/json' });
      expect(h['webhook-signature']).to.match(/^v1,/);
    });

    it('delivers a compact JSON body that standardwebhooks and svix both verify', async () => {
      const wh = await hook();
      const eventId = await fireStored(w, 'payment_received', { payment_id: 1, payment_total: '$1.00' });
      expect(eventId).to.match(/^evt_/);
      await w.service.worker.drain();
      expect(receiver.requests).to.have.length(1);
      const req = receiver.requests[0]!;
      const headers = flatHeaders(req);
      expect(req.method).to.equal('POST');
      expect(headers['content-type']).to.equal('application/json');
      expect(headers['webhook-id']).to.match(/^msg_/);
      expect(headers['webhook-timestamp']).to.equal(String(Math.floor(w.clock.now / 1000)));
      expect(headers['webhook-signature']).to.match(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(headers['user-agent']).to.match(/^Hookpress-Webhooks\/\d+\.\d+\.\d+/);
      expect(headers['x-hookpress-event']).to.equal('payment_received');
      expect(req.body).to.equal(JSON.stringify({ payment_id: 1, payment_total: '$1.00', hookpress_version: w.hp.plugins.apiOf('webhooks')!.hostVersion }));
      expect(new StandardWebhook(wh.secret).verify(req.body, headers)).to.deep.include({ payment_id: 1 });
      expect(new SvixWebhook(wh.secret).verify(req.body, headers)).to.deep.include({ payment_id: 1 });
      expect(() => new StandardWebhook(wh.secret).verify(req.body.replace('1.00', '9.99'), headers)).to.throw();
    });

    it('signs with both secrets during a rotation, then only with the new one after the grace period', async () => {
      const old = await hook();
      const rotated = await w.api.async.rotate_secret(old.id);
      expect(rotated.secret).to.not.equal(old.secret);
      await fireStored(w, 'payment_received', { n: 1 });
      await w.service.worker.drain();
      const during = flatHeaders(receiver.requests[0]!);
      expect(during['webhook-signature']!.split(' ')).to.have.length(2);
      expect(() => new StandardWebhook(old.secret).verify(receiver.requests[0]!.body, during)).not.to.throw();
      expect(() => new StandardWebhook(rotated.secret).verify(receiver.requests[0]!.body, during)).not.to.throw();
      w.clock.advance(24 * 3600_000 + 1);
      await fireStored(w, 'payment_received', { n: 2 });
      await w.service.worker.drain();
      const after = flatHeaders(receiver.requests[1]!);
      expect(after['webhook-signature']!.split(' ')).to.have.length(1);
      const at = new Date(Number(after['webhook-timestamp']) * 1000);
      expect(after['webhook-signature']).to.equal(new StandardWebhook(rotated.secret).sign(after['webhook-id']!, at, receiver.requests[1]!.body));
      expect(after['webhook-signature']).not.to.equal(new StandardWebhook(old.secret).sign(after['webhook-id']!, at, receiver.requests[1]!.body));
    });

    it('snapshots the payload when the event happens, not when it is sent', async () => {
      await hook();
      const payload: Record<string, unknown> = { status: 'at event time' };
      // Changed before the event is stored (the unit of work settles after): the snapshot is already taken.
      await runInUnitOfWork(() => {
        w.service.wu_do_event('payment_received', payload);
        payload.status = 'changed later';
      });
      await w.service.worker.drain();
      expect(JSON.parse(receiver.requests[0]!.body).status).to.equal('at event time');
    });
  });

  describe('outcomes', () => {
    it('counts only 2xx as success', async () => {
      const wh = await hook();
      receiver.reply = () => ({ status: 204 });
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      const { items } = await w.api.async.list_deliveries({ webhookId: wh.id });
      expect(items[0]).to.include({ status: 'succeeded', attempts: 1, last_http_status: 204 });
      expect(await w.api.async.get_webhook(wh.id)).to.include({ last_status: 'success', event_count: 1, last_http_status: 204 });
    });

    it('does not follow redirects: a 3xx is a failure and its target is never requested', async () => {
      const wh = await hook();
      receiver.reply = (req) => (req.path === '/hook' ? { status: 302, headers: { location: `${receiver.url}/elsewhere` } } : { status: 200 });
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      expect(receiver.requests.map((r) => r.path)).to.deep.equal(['/hook']);
      const d = (await w.api.async.list_deliveries({ webhookId: wh.id })).items[0]!;
      expect(d.status).to.equal('pending');
      const detail = await w.api.async.get_delivery(d.id);
      expect(detail.attempts[0]).to.include({ success: 0, response_status: 302, error_class: 'http' });
      expect(detail.attempts[0]!.error_message).to.include('redirects are not followed');
    });

    for (const status of [400, 404, 500]) {
      it(`retries after HTTP ${status} following the schedule`, async () => {
        const wh = await hook();
        receiver.reply = () => ({ status });
        await fireStored(w, 'payment_received', {});
        await w.service.worker.drain();
        const d = (await w.api.async.list_deliveries({ webhookId: wh.id })).items[0]!;
        expect(d).to.include({ status: 'pending', attempts: 1, next_trigger: 'retry' });
        expect(d.next_attempt_at! - d.last_attempt_at!).to.equal(DEFAULT_SCHEDULE_MS[1]);
      });
    }

    it('retries on the whole schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) then fails', async () => {
      const wh = await hook();
      receiver.reply = () => ({ status: 500 });
      await fireStored(w, 'payment_received', {});
      const gaps: number[] = [];
      for (let i = 0; i < DEFAULT_SCHEDULE_MS.length; i++) {
        await w.service.worker.drain();
        const d = (await w.api.async.list_deliveries({ webhookId: wh.id })).items[0]!;
        if (d.status === 'failed') break;
        gaps.push(d.next_attempt_at! - d.last_attempt_at!);
        // Nothing is sent before the retry is due.
        w.clock.advance(d.next_attempt_at! - w.clock.now - 1);
        expect(await w.service.worker.drain()).to.equal(0);
        w.clock.advance(1);
      }
      expect(gaps).to.deep.equal(DEFAULT_SCHEDULE_MS.slice(1));
      const d = (await w.api.async.list_deliveries({ webhookId: wh.id })).items[0]!;
      expect(d).to.include({ status: 'failed', attempts: 8 });
      expect(receiver.requests).to.have.length(8);
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size, 'one webhook-id across retries').to.equal(1);
      const triggers = (await w.api.async.get_delivery(d.id)).attempts.map((a) => a.trigger);
      expect(triggers).to.deep.equal(['event', ...Array(7).fill('retry')]);
    });

    it('applies ±20 % jitter', async () => {
      await w.hp.close();
      for (const [random, expected] of [
        [0, 4000],
        [0.999999, 6000],
      ] as const) {
        w = await makeWebhooksApp({ random: () => random });
        const wh = await w.api.async.create_webhook({ name: 'Jitter', url: `${receiver.url}/hook`, event: 'payment_received' });
        receiver.reply = () => ({ status: 500 });
        await fireStored(w, 'payment_received', {});
        await w.service.worker.drain();
        const d = (await w.api.async.list_deliveries({ webhookId: wh.id })).items[0]!;
        expect(d.next_attempt_at! - d.last_attempt_at!).to.equal(expected);
        await w.hp.close();
      }
      w = await makeWebhooksApp();
    });

    for (const status of [429, 503]) {
      it(`treats ${status} as throttling: waits at least 60 s, and max(schedule, Retry-After) capped at schedule + 6 h`, async () => {
        const wh = await hook();
        const gap = async (retryAfter: string | undefined) => {
          receiver.reply = () => ({ status, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter } as Record<string, string> });
          await w.service.worker.drain();
          const d = (await w.api.async.list_deliveries({ webhookId: wh.id })).items[0]!;
          const ms = d.next_attempt_at! - d.last_attempt_at!;
          w.clock.advance(ms);
          return ms;
        };
        await fireStored(w, 'payment_received', {});
        expect(await gap(undefined), 'no Retry-After: the throttling floor').to.equal(60_000);
        expect(await gap('120'), 'Retry-After 120 s is shorter than the 5 min schedule: the schedule wins').to.equal(5 * 60_000);
        expect(await gap('3600'), 'Retry-After 1 h beats the 30 min schedule').to.equal(3_600_000);
        expect(await gap('86400'), 'a day is capped at 2 h + 6 h').to.equal(8 * 3_600_000);
        expect(await gap('1'), 'never sooner than the schedule').to.equal(5 * 3_600_000);
      });
    }

    it('503 with Retry-After: 120 waits 120 s, and 429 with Retry-After: 3600 waits an hour (not 10 s / 120 s)', async () => {
      const a = await hook({ name: 'Hook A' });
      receiver.reply = () => ({ status: 503, headers: { 'retry-after': '120' } });
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      let d = (await w.api.async.list_deliveries({ webhookId: a.id })).items[0]!;
      expect(d.next_attempt_at! - d.last_attempt_at!).to.equal(120_000);
      await w.api.async.update_webhook(a.id, { active: false });
      const b = await hook({ name: 'Hook B' });
      receiver.reply = () => ({ status: 429, headers: { 'retry-after': new Date(w.clock.now + 3_600_000).toUTCString() } });
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      d = (await w.api.async.list_deliveries({ webhookId: b.id })).items[0]!;
      // An HTTP date has whole seconds: within a second of an hour.
      expect(d.next_attempt_at! - d.last_attempt_at!).to.be.within(3_599_000, 3_600_000);
    });

    it('times out a slow endpoint, says so, and waits at least 60 s', async () => {
      const wh = await hook();
      let release!: () => void;
      const hold = new Promise<void>((r) => (release = r));
      receiver.reply = () => ({ status: 200, hold });
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      release();
      const d = (await w.api.async.list_deliveries({ webhookId: wh.id })).items[0]!;
      const attempt = (await w.api.async.get_delivery(d.id)).attempts[0]!;
      expect(attempt).to.include({ error_class: 'timeout', success: 0 });
      expect(attempt.error_message).to.equal(`Timed out after 2 s waiting for 127.0.0.1:${new URL(receiver.url).port}.`);
      expect(d.next_attempt_at! - d.last_attempt_at!).to.equal(60_000);
    });

    it('disables the webhook at once on 410 Gone, with the action and a notice', async () => {
      const wh = await hook();
      const disabled: unknown[] = [];
      w.hp.hooks.add_action('wu_webhook_disabled', (webhook: { id: number }, reason: string) => void disabled.push([webhook.id, reason]), 10, 2);
      receiver.reply = () => ({ status: 410 });
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      expect(await w.api.async.get_webhook(wh.id)).to.include({ active: false, disabled_reason: 'gone' });
      expect((await w.api.async.list_deliveries({ webhookId: wh.id })).items[0]).to.include({ status: 'failed', attempts: 1 });
      expect(disabled).to.deep.equal([[wh.id, 'gone']]);
      expect((await storedNotice(w.hp, (n) => n.id === `webhook-disabled-${wh.id}`)).message).to.include('answered 410 Gone');
      expect(await w.hp.host.notices.listAsync()).to.have.length(1);
    });

    it('records the response truncated to 20 KB, with headers and duration', async () => {
      const wh = await hook();
      receiver.reply = () => ({ status: 500, body: 'x'.repeat(100_000), headers: { 'x-trace': 'abc' } });
      await fireStored(w, 'payment_received', { a: 1 });
      await w.service.worker.drain();
      const d = (await w.api.async.list_deliveries({ webhookId: wh.id })).items[0]!;
      const detail = await w.api.async.get_delivery(d.id);
      const a = detail.attempts[0]!;
      expect(a.response_body).to.have.length(20 * 1024);
      expect(JSON.parse(a.response_headers!)).to.include({ 'x-trace': 'abc' });
      expect(JSON.parse(a.request_headers)).to.include({ 'webhook-id': d.msg_id, 'content-type': 'application/json' });
      expect(a.request_url).to.equal(`${receiver.url}/hook`);
      expect(a.duration_ms).to.be.a('number');
      expect(JSON.parse(detail.body)).to.include({ a: 1 });
    });
  });

  describe('auto-disable after a long window of failure', () => {
    it('does not disable after quick failures, disables when an exhausted delivery ends a 5-day failing window', async () => {
      await w.hp.close();
      w = await makeWebhooksApp({ schedule: [0, 1000] });
      const wh = await w.api.async.create_webhook({ name: 'Flaky', url: `${receiver.url}/hook`, event: 'payment_received' });
      const disabled: string[] = [];
      w.hp.hooks.add_action('wu_webhook_disabled', (_w: unknown, reason: string) => void disabled.push(reason), 10, 2);
      receiver.reply = () => ({ status: 500 });
      for (let i = 0; i < 5; i++) {
        await fireStored(w, 'payment_received', { i });
        await w.service.worker.drain();
        w.clock.advance(1000);
        await w.service.worker.drain();
      }
      expect((await w.api.async.get_webhook(wh.id)).active, 'many quick failures are not enough').to.equal(true);
      w.clock.advance(5 * 24 * 3600_000);
      await fireStored(w, 'payment_received', { last: true });
      await w.service.worker.drain();
      expect((await w.api.async.get_webhook(wh.id)).active, 'the delivery is not exhausted yet').to.equal(true);
      w.clock.advance(1000);
      await w.service.worker.drain();
      expect(await w.api.async.get_webhook(wh.id)).to.include({ active: false, disabled_reason: 'failing' });
      expect(disabled).to.deep.equal(['failing']);
      const notice = await storedNotice(w.hp, (n) => n.id === `webhook-disabled-${wh.id}`);
      expect(notice.link!.href).to.include('page=webhooks-deliveries');
    });

    it('any success resets the failure window', async () => {
      await w.hp.close();
      w = await makeWebhooksApp({ schedule: [0] });
      const wh = await w.api.async.create_webhook({ name: 'Flaky', url: `${receiver.url}/hook`, event: 'payment_received' });
      receiver.reply = () => ({ status: 500 });
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      expect((await w.api.async.get_webhook(wh.id)).failing_since).to.equal(w.clock.now);
      w.clock.advance(4 * 24 * 3600_000);
      receiver.reply = () => ({ status: 200 });
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      expect((await w.api.async.get_webhook(wh.id)).failing_since).to.equal(null);
      receiver.reply = () => ({ status: 500 });
      w.clock.advance(2 * 24 * 3600_000);
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      expect((await w.api.async.get_webhook(wh.id)).active).to.equal(true);
    });
  });

  describe('who receives what', () => {
    it('inactive webhooks receive nothing, and deliveries pending when one is deactivated are cancelled', async () => {
      const on = await hook();
      const off = await hook({ active: false, name: 'Off' });
      await fireStored(w, 'payment_received', {});
      expect((await w.api.async.list_deliveries({ webhookId: off.id })).total).to.equal(0);
      await w.api.async.update_webhook(on.id, { active: false });
      await w.service.worker.drain();
      expect(receiver.requests).to.have.length(0);
      expect((await w.api.async.list_deliveries({ webhookId: on.id })).items[0]).to.include({ status: 'cancelled' });
    });

    it('has no cap on the number of webhooks of an event', async () => {
      for (let i = 0; i < 150; i++) await w.api.async.create_webhook({ name: `W${i}`, url: `${receiver.url}/h${i}`, event: 'payment_received' });
      await w.api.async.create_webhook({ name: 'Other', url: `${receiver.url}/other`, event: 'invoice_sent' });
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      expect(receiver.requests).to.have.length(150);
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).to.equal(150);
    });
  });

  describe('resend and recover', () => {
    it('resends one delivery now with the same message id', async () => {
      const wh = await hook();
      receiver.reply = () => ({ status: 410 });
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      await w.api.async.update_webhook(wh.id, { active: true });
      receiver.reply = () => ({ status: 200 });
      const d = (await w.api.async.list_deliveries({ webhookId: wh.id })).items[0]!;
      await w.api.async.resend_delivery(d.id);
      await w.service.worker.drain();
      expect(receiver.requests[1]!.headers['webhook-id']).to.equal(d.msg_id);
      const after = await w.api.async.get_delivery(d.id);
      expect(after.delivery).to.include({ status: 'succeeded', attempts: 2 });
      expect(after.attempts.map((a) => a.trigger)).to.deep.equal(['event', 'manual']);
    });

    it('recovers every failed delivery of a webhook since a date', async () => {
      await w.hp.close();
      w = await makeWebhooksApp({ schedule: [0] });
      const wh = await w.api.async.create_webhook({ name: 'Recover', url: `${receiver.url}/hook`, event: 'payment_received' });
      receiver.reply = () => ({ status: 500 });
      await fireStored(w, 'payment_received', { n: 'old' });
      await w.service.worker.drain();
      w.clock.advance(3600_000);
      const since = w.clock.now;
      await fireStored(w, 'payment_received', { n: 'new1' });
      await fireStored(w, 'payment_received', { n: 'new2' });
      await w.service.worker.drain();
      receiver.reply = () => ({ status: 200 });
      expect(await w.api.async.recover_failed_deliveries(wh.id, new Date(since))).to.equal(2);
      await w.service.worker.drain();
      const bodies = receiver.requests.slice(3).map((r) => JSON.parse(r.body).n).sort();
      expect(bodies).to.deep.equal(['new1', 'new2']);
    });
  });

  describe('retention', () => {
    it('prunes attempts, finished deliveries and events older than the retention', async () => {
      await hook();
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      w.clock.advance(31 * 24 * 3600_000);
      await hook({ name: 'new' });
      await fireStored(w, 'payment_received', {});
      expect(await w.service.pruneAsync()).to.equal(3);
      expect((await w.api.async.list_deliveries({})).total).to.equal(2);
    });
  });
});
