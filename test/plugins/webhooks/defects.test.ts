import { expect } from 'chai';
import { loginAgent, type Agent } from '../../helpers/app.js';
import { Receiver } from '../../helpers/receiver.js';
import type { Kysely } from 'kysely';
import { fireStored, makeWebhooksApp, rejectionOf, type WebhooksApp } from '../../helpers/webhooks.js';

// Defects found by clicking through the webhooks screens (issue #10, item 4). Each test
// failed before its fix.
describe('plugins/webhooks: defects found while clicking through', () => {
  let w: WebhooksApp;
  let agent: Agent;
  let receiver: Receiver;
  beforeEach(async () => {
    w = await makeWebhooksApp({}, { pluginSlugs: ['webhooks', 'memberships'], port: 0 });
    agent = await loginAgent(w.hp);
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(async () => {
    await w.hp.close();
    await receiver.close();
  });

  /** Every `<a href><strong>N</strong> label</a>` count inside `html`, with its link. */
  const countLinks = (html: string) =>
    [...html.matchAll(/<a href="([^"]+)"><strong[^>]*>(\d+)<\/strong> ([^<]+)<\/a>/g)].map((m) => ({
      href: m[1]!.replace(/&amp;/g, '&'),
      n: Number(m[2]),
      label: m[3]!,
    }));
  /** How many items the list at `href` shows (its "N items" count; 0 for an empty state). */
  const itemsAt = async (href: string) => {
    const res = await agent.get(href);
    expect(res.status, href).to.equal(200);
    const m = /<span class="displaying-num">(\d+) items?<\/span>/.exec(res.text);
    return m ? Number(m[1]) : 0;
  };

  /** One succeeded, one failed once and retrying, one failed for good — all in the last hour. */
  async function seedDeliveries(): Promise<number> {
    const hook = await w.api.async.create_webhook({ name: 'Counted', url: `${receiver.url}/hook`, event: 'payment_received' });
    receiver.reply = () => ({ status: 200 });
    await fireStored(w, 'payment_received', { payment_id: 1 });
    await w.service.worker.drain();
    receiver.reply = () => ({ status: 500 });
    await fireStored(w, 'payment_received', { payment_id: 2 });
    await fireStored(w, 'payment_received', { payment_id: 3 });
    const last = (await w.api.async.list_deliveries({ webhookId: hook.id })).items[0]!;
    await (w.hp.plugins.apiOf('webhooks')!.db as Kysely<any>).updateTable('webhook_deliveries').set({ max_attempts: 1 }).where('id', '=', last.id).execute();
    await w.service.worker.drain();
    return hook.id;
  }

  it('every number on the dashboard widget links to a list that shows exactly that many items', async () => {
    await seedDeliveries();
    const dash = await agent.get('/wp-admin/network/');
    const widget = dash.text.slice(dash.text.indexOf('id="webhooks-health"'));
    const counts = countLinks(widget.slice(0, widget.indexOf('</section>')));
    expect(counts.map((c) => `${c.n} ${c.label}`)).to.include.members(['1 failed in the last hour', '1 retrying']);
    for (const c of counts) expect(await itemsAt(c.href), `${c.n} ${c.label} → ${c.href}`).to.equal(c.n);
  });

  it('the edit screen’s delivery count links to a list of exactly those deliveries, and says how many attempts they took', async () => {
    const id = await seedDeliveries();
    const edit = await agent.get(`/wp-admin/network/admin.php?page=webhooks-edit&id=${id}`);
    const status = edit.text.slice(edit.text.indexOf('id="webhook-status-title"'));
    const [deliveries] = countLinks(status.slice(0, status.indexOf('</section>')));
    expect(deliveries, 'a linked count').to.not.equal(undefined);
    expect(deliveries!.n).to.equal(3);
    expect(await itemsAt(deliveries!.href)).to.equal(3);
    expect(status).to.include('(3 attempts)');
  });

  it('the list’s Deliveries column counts what its link lists; a test send is in neither (it is in the full log, badged Test)', async () => {
    const id = await seedDeliveries();
    const column = async () => {
      const list = await agent.get('/wp-admin/network/admin.php?page=webhooks');
      const m = new RegExp(`<a href="([^"]*webhook_id=${id}[^"]*)">(\\d+)</a>`).exec(list.text);
      expect(m, 'a linked count').to.not.equal(null);
      return { href: m![1]!.replace(/&amp;/g, '&'), n: Number(m![2]) };
    };
    const before = await column();
    expect(before.n).to.equal(3);
    receiver.reply = () => ({ status: 200 });
    await w.service.send_test_event(id);
    const after = await column();
    expect(after.n).to.equal(3);
    expect(await itemsAt(after.href)).to.equal(3);
    // The webhook's full log still shows the test send, with its badge.
    const all = await agent.get(`/wp-admin/network/admin.php?page=webhooks-deliveries&webhook_id=${id}`);
    expect(/<span class="displaying-num">(\d+) items?<\/span>/.exec(all.text)![1]).to.equal('4');
    expect(all.text).to.include('<span class="badge badge-info">Test</span>');
  });

  it('sample payloads and *_manage_url values use the host’s real URL, not a hard-coded 127.0.0.1:8080', async () => {
    const base = await w.hp.start();
    const sample = JSON.stringify(w.service.wu_get_event_type('payment_received')!.sample());
    expect(sample).to.not.include('127.0.0.1:8080');
    expect(sample).to.include(`${base}/wp-admin/network/admin.php?page=memberships-customers&id=`);
    const events = await agent.get('/wp-admin/network/admin.php?page=webhooks-events');
    expect(events.text).to.not.include('127.0.0.1:8080');
  });

  it('recovering failed deliveries of an inactive webhook says why nothing was queued', async () => {
    const id = await seedDeliveries();
    await w.api.async.update_webhook(id, { active: false });
    const refused = await rejectionOf(w.api.async.recover_failed_deliveries(id, 0));
    expect(refused.message).to.include('inactive');
    expect(refused).to.have.property('code', 'WEBHOOK_INACTIVE');
    expect((await w.api.async.list_deliveries({ webhookId: id, status: 'failed' })).total).to.equal(1);
  });
});
