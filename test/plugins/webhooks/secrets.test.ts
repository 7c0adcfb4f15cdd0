import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { WebhookError } from '../../../plugins/webhooks/errors.js';
import { sign, secretKey } from '../../../plugins/webhooks/delivery/signing.js';
import { Receiver } from '../../helpers/receiver.js';
import { fireStored, makeWebhooksApp, type WebhooksApp } from '../../helpers/webhooks.js';

const HOUR = 3_600_000;
const BAD = ['whsec_', 'whsec_!!!!', 'whsec_' + randomBytes(16).toString('base64'), 'whsec_' + randomBytes(65).toString('base64'), 'whsec_abc$def', 'not a secret', ''];

async function fieldOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (error) {
    expect(error).to.be.instanceOf(WebhookError);
    const e = error as WebhookError & { fields?: Record<string, string> };
    return e.field ?? Object.keys(e.fields ?? {})[0];
  }
  throw new Error('expected a WebhookError');
}

describe('plugins/webhooks signing secrets', () => {
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
  const input = (secret?: string) => ({ name: 'Receiver', url: `${receiver.url}/hook`, event: 'payment_received', secret });

  it('refuses to sign with an empty, cut or malformed key (anyone could forge an empty-key HMAC)', () => {
    for (const s of BAD) expect(() => sign(s, 'msg_1', 1, '{}'), JSON.stringify(s)).to.throw(TypeError, /invalid secret/);
    expect(secretKey('whsec_' + randomBytes(24).toString('base64'))).to.have.property('key');
    expect(secretKey('whsec_' + randomBytes(64).toString('base64'))).to.have.property('key');
  });

  it('validates a secret wherever one enters: create, update, rotate, test send', async () => {
    for (const s of BAD) expect(await fieldOf(() => w.api.async.create_webhook(input(s))), `create ${JSON.stringify(s)}`).to.equal('secret');
    const wh = await w.api.async.create_webhook(input());
    for (const s of BAD) {
      expect(await fieldOf(() => w.api.async.update_webhook(wh.id, { secret: s })), `update ${JSON.stringify(s)}`).to.equal('secret');
      expect(await fieldOf(() => w.api.async.rotate_secret(wh.id, s)), `rotate ${JSON.stringify(s)}`).to.equal('secret');
      let thrown: unknown;
      await w.service.send_test_event({ url: `${receiver.url}/hook`, event: 'payment_received', secret: s }).catch((e: unknown) => (thrown = e));
      expect((thrown as WebhookError)?.field, `test send ${JSON.stringify(s)}`).to.equal('secret');
    }
    expect((await w.api.async.get_webhook(wh.id)).secret, 'nothing changed').to.equal(wh.secret);
    expect(receiver.requests).to.have.length(0);
  });

  it('accepts a secret without the prefix and signs as standardwebhooks and svix read it', async () => {
    const bare = randomBytes(32).toString('base64');
    await w.api.async.create_webhook(input(bare));
    await fireStored(w, 'payment_received', { payment_id: 1 });
    await w.service.worker.drain();
    const req = receiver.requests[0]!;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    expect(() => new StandardWebhook(bare).verify(req.body, headers)).not.to.throw();
    expect(() => new SvixWebhook(bare).verify(req.body, headers)).not.to.throw();
    expect(() => new StandardWebhook(`whsec_${bare}`).verify(req.body, headers)).not.to.throw();
  });

  it('the previous secret stops signing and verifying when its 24 h grace ends', async () => {
    const wh = await w.api.async.create_webhook(input());
    await fireStored(w, 'payment_received', { payment_id: 1 });
    const d = (await w.api.async.list_deliveries({ webhookId: wh.id })).items[0]!;
    const body = (await w.api.async.get_delivery(d.id)).body;
    const ts = Math.floor(w.clock.now / 1000);
    const signedWithOld = { 'webhook-id': d.msg_id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(wh.secret, d.msg_id, ts, body) };
    const request = { id: 1, token: 't', received_at: w.clock.now, method: 'POST', headers: JSON.stringify(signedWithOld), body: Buffer.from(body), source_ip: '127.0.0.1' };
    await w.api.async.rotate_secret(wh.id);

    w.clock.advance(23 * HOUR);
    expect(await w.service.inspector.check(request)).to.include({ status: 'valid' });
    await w.service.worker.drain();
    expect(String(receiver.requests[0]!.headers['webhook-signature']).split(' '), 'both signatures within the grace').to.have.length(2);

    w.clock.advance(2 * HOUR); // 25 h after the rotation
    expect(await w.service.inspector.check(request), 'the inspector no longer accepts the old secret').to.include({ status: 'invalid' });
    await fireStored(w, 'payment_received', { payment_id: 2 });
    await w.service.worker.drain();
    expect(String(receiver.requests[1]!.headers['webhook-signature']).split(' '), 'only the current secret signs').to.have.length(1);
  });
});
