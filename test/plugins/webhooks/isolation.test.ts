import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Receiver } from '../../helpers/receiver.js';
import { eventually, fireStored, makeWebhooksApp, type WebhooksApp } from '../../helpers/webhooks.js';

/** Real receivers on 127.0.0.1: one that hangs, one that answers at once. */
describe('plugins/webhooks: one slow endpoint never slows the others', () => {
  let w: WebhooksApp;
  let hanging: Receiver;
  let healthy: Receiver;
  let release!: () => void;
  beforeEach(async () => {
    hanging = new Receiver();
    healthy = new Receiver();
    await Promise.all([hanging.start(), healthy.start()]);
    const hold = new Promise<void>((r) => (release = r));
    // The hanging host answers nothing on /hook until released; /test answers at once.
    hanging.reply = (req) => (req.path === '/hook' ? { status: 200, hold } : { status: 200, body: 'test ok' });
  });
  afterEach(async () => {
    release();
    await w?.hp.close();
    await Promise.all([hanging.close(), healthy.close()]);
  });

  it('80 webhooks on a hanging host hold at most its connections: a healthy endpoint and a test send go through at once', async function () {
    this.timeout(30_000);
    w = await makeWebhooksApp({ totalTimeoutMs: 15_000 });
    for (let i = 0; i < 80; i++) await w.api.async.create_webhook({ name: `Slow ${i}`, url: `${hanging.url}/hook`, event: 'payment_received' });
    const ok = await w.api.async.create_webhook({ name: 'Healthy', url: `${healthy.url}/hook`, event: 'payment_received' });
    w.service.worker.start();
    w.service.wu_do_event('payment_received', { n: 1 });
    await hanging.waitFor(16, 5_000);
    // Without isolation the healthy delivery waits the hanging ones' 15 s timeout.
    await healthy.waitFor(1, 3_000);
    // Once the healthy delivery is recorded (synchronously on SQLite, a few round trips later on
    // PostgreSQL) the hanging host's requests are all that is in flight: 16, never more (they hang for 15 s).
    await eventually(() => w.service.worker.stats().inflight === 16, 'only the hanging host\'s 16 connections in flight');
    expect(hanging.requests.filter((r) => r.path === '/hook')).to.have.length(16);
    // A test send to the same hanging host, while its pool is full, is not queued behind it.
    const test = await w.service.send_test_event({ url: `${hanging.url}/test`, event: 'payment_received' });
    expect(test).to.include({ ok: true, status: 200, responseExcerpt: 'test ok' });
    expect(test.durationMs).to.be.below(2_000);
    const d = (await w.api.async.list_deliveries({ webhookId: ok.id })).items[0]!;
    expect(d.status).to.equal('succeeded');
  });

  it('a 2xx whose body trickles past the timeout is one success, not a timeout and a duplicate', async function () {
    this.timeout(20_000);
    const sockets = new Set<import('node:net').Socket>();
    const trickle = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('accepted');
        const timer = setInterval(() => res.write('.'), 100);
        res.on('close', () => clearInterval(timer));
      });
    });
    trickle.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => trickle.listen(0, '127.0.0.1', r));
    try {
      w = await makeWebhooksApp({ totalTimeoutMs: 500, bodyTimeoutMs: 300 });
      const wh = await w.api.async.create_webhook({ name: 'Trickle', url: `http://127.0.0.1:${(trickle.address() as AddressInfo).port}/hook`, event: 'payment_received' });
      await fireStored(w, 'payment_received', {});
      await w.service.worker.drain();
      const d = (await w.api.async.list_deliveries({ webhookId: wh.id })).items[0]!;
      expect(d).to.include({ status: 'succeeded', attempts: 1 });
      const [attempt] = (await w.api.async.get_delivery(d.id)).attempts;
      expect(attempt).to.include({ success: 1, response_status: 200, error_class: null });
      expect(attempt!.response_body).to.match(/^accepted/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => trickle.close(() => r()));
    }
  });

  it('stop: starts nothing new, gives requests in flight the grace, then aborts them — recorded and retried, never lost', async function () {
    this.timeout(20_000);
    w = await makeWebhooksApp({ totalTimeoutMs: 15_000, perEndpoint: 1 });
    const wh = await w.api.async.create_webhook({ name: 'Slow', url: `${hanging.url}/hook`, event: 'payment_received' });
    w.service.worker.start();
    for (let i = 0; i < 4; i++) w.service.wu_do_event('payment_received', { n: i });
    await hanging.waitFor(1, 5_000);
    const started = Date.now();
    await w.service.worker.stop(300);
    expect(Date.now() - started, 'bounded by the grace, not the 15 s timeout').to.be.below(3_000);
    expect(hanging.requests, 'nothing started after stop').to.have.length(1);
    const all = (await w.api.async.list_deliveries({ webhookId: wh.id })).items;
    expect(all.map((d) => d.status)).to.deep.equal(['pending', 'pending', 'pending', 'pending']);
    const aborted = all.find((d) => d.attempts === 1)!;
    expect((await w.api.async.get_delivery(aborted.id)).attempts[0]!.error_message).to.include('shut down');
    // The three never started were handed back, due now: the next worker sends them at once.
    expect(all.filter((d) => d.attempts === 0).every((d) => d.next_attempt_at === w.clock.now && d.lease_until === null)).to.equal(true);
  });

  it('closing the host (SIGTERM) is bounded by the configured grace', async function () {
    this.timeout(20_000);
    w = await makeWebhooksApp({ totalTimeoutMs: 15_000, stopGraceMs: 200 });
    await w.api.async.create_webhook({ name: 'Slow', url: `${hanging.url}/hook`, event: 'payment_received' });
    w.service.worker.start();
    w.service.wu_do_event('payment_received', {});
    await hanging.waitFor(1, 5_000);
    const started = Date.now();
    await w.hp.close();
    expect(Date.now() - started).to.be.below(3_000);
  });
});
