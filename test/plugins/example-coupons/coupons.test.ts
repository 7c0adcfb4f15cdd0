import { expect } from 'chai';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { HookpressApp } from '../../../core/app.js';
import type { WebhooksService } from '../../../plugins/webhooks/service.js';
import { loginAgent, makeApp, nonceIn } from '../../helpers/app.js';
import { Receiver } from '../../helpers/receiver.js';
import { PLUGINS_DIR, webhooksEngine } from '../../helpers/webhooks.js';

describe('plugins/example-coupons (the guide’s example)', () => {
  let hp: HookpressApp;
  let receiver: Receiver;
  beforeEach(async () => {
    hp = await makeApp({ pluginsDir: PLUGINS_DIR, pluginSlugs: ['webhooks', 'example-coupons'], plugins: { webhooks: { autoStart: false, allowNetworks: '127.0.0.0/8' } } });
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(async () => {
    await hp.close();
    await receiver.close();
  });

  it('is inactive on a fresh install', () => {
    expect(hp.plugins.isActive('example-coupons')).to.equal(false);
    expect(hp.plugins.isActive('webhooks')).to.equal(true);
  });

  it('once activated, registers coupon_redeemed bound to its action, and its form fires it', async () => {
    await hp.plugins.activate('example-coupons');
    const webhooks = webhooksEngine(hp);
    const type = webhooks.wu_get_event_type('coupon_redeemed')!;
    expect(type).to.include({ name: 'Coupon Redeemed', source: 'example-coupons' });
    const hook = webhooks.create_webhook({ name: 'Coupons', url: `${receiver.url}/coupons`, event: 'coupon_redeemed' });

    const agent = await loginAgent(hp);
    const page = await agent.get('/wp-admin/network/admin.php?page=example-coupons');
    expect(page.text).to.include('0 coupons redeemed so far.');
    const res = await agent.post('/wp-admin/network/admin.php?page=example-coupons').type('form').send({ _wpnonce: nonceIn(page.text), code: 'welcome10', amount: '10' });
    expect(res.status).to.equal(303);
    expect((await agent.get(res.headers.location!)).text).to.include('Coupon WELCOME10 redeemed.').and.include('1 coupon redeemed so far.');

    await webhooks.worker.drain();
    const req = receiver.requests[0]!;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    expect(new StandardWebhook(hook.secret).verify(req.body, headers)).to.deep.equal({
      coupon_code: 'WELCOME10',
      coupon_amount: '$10.00',
      coupon_amount_raw: 10,
      hookpress_version: hp.plugins.apiOf('webhooks')!.hostVersion,
      network_name: 'Hookpress Network',
    });
  });

  it('refuses the form without a nonce, and bad input with a notice', async () => {
    await hp.plugins.activate('example-coupons');
    const agent = await loginAgent(hp);
    expect((await agent.post('/wp-admin/network/admin.php?page=example-coupons').type('form').send({ code: 'X', amount: '1' })).status).to.equal(403);
    const page = await agent.get('/wp-admin/network/admin.php?page=example-coupons');
    const res = await agent.post('/wp-admin/network/admin.php?page=example-coupons').type('form').send({ _wpnonce: nonceIn(page.text), code: '!', amount: '-1' });
    expect((await agent.get(res.headers.location!)).text).to.include('Enter a code of 3–20 letters or digits');
  });

  it('deactivating removes its event binding and its page', async () => {
    await hp.plugins.activate('example-coupons');
    await hp.plugins.deactivate('example-coupons');
    const webhooks = webhooksEngine(hp);
    expect(webhooks.wu_get_event_type('coupon_redeemed')).to.equal(undefined);
    expect(hp.hooks.has_action('example_coupon_redeemed')).to.equal(false);
    const agent = await loginAgent(hp);
    expect((await agent.get('/wp-admin/network/admin.php?page=example-coupons')).status).to.equal(404);
  });
});
