import { expect } from 'chai';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { fireStored, makeWebhooksApp, storedApiKeyAuth, storedNotice, type WebhooksApp } from '../../helpers/webhooks.js';
import { OpenApiChecker, restClient } from '../../helpers/rest.js';
import { Receiver } from '../../helpers/receiver.js';
import request from 'supertest';

const NS = '/wp-json/wu/v2';

describe('Zapier’s flow end to end (REST Hook subscription on a local receiver)', () => {
  let w: WebhooksApp;
  let zap: Receiver;
  let call: ReturnType<typeof restClient>;
  beforeEach(async () => {
    w = await makeWebhooksApp();
    zap = new Receiver();
    await zap.start();
    const doc = (await request(w.hp.app).get(`${NS}/openapi.json`)).body;
    call = restClient(w.hp, new OpenApiChecker(doc), await storedApiKeyAuth(w.hp));
  });
  afterEach(async () => {
    await w.hp.close();
    await zap.close();
  });

  it('auth → hooks → subscribe → an event is delivered, signed → unsubscribe', async () => {
    expect((await call('GET', `${NS}/auth`)).body.label).to.equal('Hookpress Network');
    const hooks = (await call('GET', `${NS}/hooks`)).body;
    expect(hooks).to.have.property('payment_received');
    const sub = await call('POST', `${NS}/webhook`, { name: 'Zap: new payments', webhook_url: `${zap.url}/hooks/catch/1/abc`, event: 'payment_received', integration: 'zapier', hidden: true });
    expect(sub.status).to.equal(201);

    await fireStored(w, 'payment_received', { payment_id: 42 });
    await w.service.worker.drain();
    expect(zap.requests).to.have.length(1);
    const got = zap.requests[0]!;
    const secret = (await w.api.async.get_webhook(sub.body.id)).secret;
    const payload = new StandardWebhook(secret).verify(got.body, got.headers as Record<string, string>) as Record<string, unknown>;
    expect(payload.payment_id).to.equal(42);

    const unsub = await call('DELETE', `${NS}/webhook/${sub.body.id}`);
    expect(unsub.body.deleted).to.equal(true);
    await fireStored(w, 'payment_received', { payment_id: 43 });
    await w.service.worker.drain();
    expect(zap.requests).to.have.length(1);
  });

  it('a 410 from the hook URL deletes a webhook an integration created (logged, with a notice); a manual one is disabled', async () => {
    zap.reply = () => ({ status: 410, body: 'gone' });
    const zapier = (await call('POST', `${NS}/webhook`, { name: 'Zap', webhook_url: `${zap.url}/zap`, event: 'payment_received', integration: 'zapier' })).body;
    const manual = (await call('POST', `${NS}/webhook`, { name: 'Mine', webhook_url: `${zap.url}/mine`, event: 'payment_received', integration: 'manual' })).body;
    await fireStored(w, 'payment_received', { payment_id: 1 });
    await w.service.worker.drain();
    expect(zap.requests).to.have.length(2);
    expect((await call('GET', `${NS}/webhook/${zapier.id}`)).status).to.equal(404);
    const still = (await call('GET', `${NS}/webhook/${manual.id}`)).body;
    expect(still).to.include({ active: false, disabled_reason: 'gone' });
    expect((await storedNotice(w.hp, (n) => n.id === `webhook-deleted-${zapier.id}`)).message).to.include('“Zap” (created by zapier) was deleted');
  });
});
