import { expect } from 'chai';
import { loginAgent, nonceNear, type Agent } from '../../helpers/app.js';
import { fireStored, makeWebhooksApp, type WebhooksApp } from '../../helpers/webhooks.js';
import { Receiver } from '../../helpers/receiver.js';

const page = (slug: string, params = '') => `/wp-admin/network/admin.php?page=${slug}${params}`;

describe('webhooks admin, review findings', () => {
  let w: WebhooksApp;
  let agent: Agent;
  let receiver: Receiver;
  before(async () => {
    receiver = new Receiver();
    await receiver.start();
  });
  after(async () => {
    await receiver.close();
  });
  beforeEach(async () => {
    w = await makeWebhooksApp();
    agent = await loginAgent(w.hp);
  });
  afterEach(async () => {
    await w.hp.close();
  });

  describe('findings-1', () => {
    it('#9 a resent delivery in flight reads "Sending", not "Pending (retrying)" with a next attempt minutes away', async () => {
      const hook = await w.api.async.create_webhook({ name: 'Mailing list', url: `${receiver.url}/hook`, event: 'payment_received' });
      await fireStored(w, 'payment_received', { payment_id: 7 });
      await w.service.worker.drain();
      const d = (await w.api.async.list_deliveries({ webhookId: hook.id })).items[0]!;
      expect(d.status).to.equal('succeeded');
      const detail = await agent.get(page('webhooks-deliveries', `&delivery=${d.id}`));
      await agent.post(page('webhooks-deliveries')).type('form').send({ _wpnonce: nonceNear(detail.text, 'name="delivery_id"'), delivery_id: String(d.id) });
      // The worker has taken it (leased for 5 minutes) and the request is on its way.
      expect(await w.service.workerStore.claimDue(w.clock.fn(), 10, 5 * 60_000)).to.have.length(1);
      for (const url of [page('webhooks-deliveries', `&delivery=${d.id}`), page('webhooks-deliveries')]) {
        const res = await agent.get(url);
        expect(res.text, url).not.to.include('(retrying)');
        expect(res.text, url).not.to.match(/in [45] minutes/);
        expect(res.text, url).to.include('Sending');
      }
      // The worker's process dies: once its lease has run out nothing is sending it — it is due again.
      w.clock.advance(5 * 60_000);
      for (const url of [page('webhooks-deliveries', `&delivery=${d.id}`), page('webhooks-deliveries'), page('webhooks-edit', `&id=${hook.id}`)]) {
        const res = await agent.get(url);
        expect(res.text, url).not.to.include('Sending');
        expect(res.text, url).to.include('Pending (resend)');
      }
    });

    it('#9 a resend waiting for the worker reads "Pending (resend)" and a failed attempt still reads "retrying"', async () => {
      const hook = await w.api.async.create_webhook({ name: 'Mailing list', url: `${receiver.url}/hook`, event: 'payment_received' });
      await fireStored(w, 'payment_received', { payment_id: 7 });
      await w.service.worker.drain();
      const d = (await w.api.async.list_deliveries({ webhookId: hook.id })).items[0]!;
      await w.api.async.resend_delivery(d.id);
      const res = await agent.get(page('webhooks-deliveries', `&delivery=${d.id}`));
      expect(res.text).to.include('Pending (resend)').and.not.include('(retrying)');
    });
  });

  describe('test sends in the counts (finding 11)', () => {

    it('two Send Test Events leave Deliveries, Last delivery and Health agreeing: tests are not deliveries', async () => {
      const hook = await w.api.async.create_webhook({ name: 'Mailing list', url: `${receiver.url}/hook`, event: 'payment_received' });
      expect((await w.service.send_test_event(hook.id)).ok).to.equal(true);
      expect((await w.service.send_test_event(hook.id)).ok).to.equal(true);
      const list = await agent.get(page('webhooks'));
      const row = list.text.slice(list.text.indexOf('Mailing list'));
      expect(row).to.include('No attempts in the last 24 hours');
      const edit = await agent.get(page('webhooks-edit', `&id=${hook.id}`));
      expect(edit.text).to.include('<strong>0</strong> deliveries');
      expect(edit.text).to.include('<dt>Last delivery</dt><dd>Never</dd>');
      expect(edit.text).not.to.match(/\d+% success \(\d+ of \d+ attempts\)/);
      // A real delivery counts everywhere.
      await fireStored(w, 'payment_received', { payment_id: 1 });
      await w.service.worker.drain();
      const after = await agent.get(page('webhooks-edit', `&id=${hook.id}`));
      expect(after.text).to.include('<strong>1</strong> delivery');
      expect(after.text).to.include('100% success (1 of 1 attempts)');
    });
  });
});
