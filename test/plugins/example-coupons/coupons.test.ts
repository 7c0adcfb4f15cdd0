import { expect } from 'chai';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { HookpressApp } from '../../../core/app.js';
import { loginAgent, makeApp, nonceIn, nonceNear } from '../../helpers/app.js';
import { Receiver } from '../../helpers/receiver.js';
import { PLUGINS_DIR, webhooksApi, webhooksEngine } from '../../helpers/webhooks.js';

/**
 * How many redemptions the plugin's table holds, or undefined when the table does not exist —
 * on the host's own storage (SQLite, or its PostgreSQL schema), through the query layer.
 */
async function redemptionRows(hp: HookpressApp): Promise<number | undefined> {
  try {
    const row = await hp.host.query.db.selectFrom('example_coupon_redemptions' as never).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  } catch (error) {
    if (/no such table|does not exist/.test((error as Error).message)) return undefined;
    throw error;
  }
}

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
    const hook = await webhooksApi(hp).async.create_webhook({ name: 'Coupons', url: `${receiver.url}/coupons`, event: 'coupon_redeemed' });

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

  it('fires its event inside the transaction of its change: a failure after it leaves neither row nor delivery', async () => {
    await hp.plugins.activate('example-coupons');
    const webhooks = webhooksApi(hp).async;
    await webhooks.create_webhook({ name: 'Coupons', url: `${receiver.url}/coupons`, event: 'coupon_redeemed' });
    hp.hooks.add_action('example_coupon_redeemed', () => {
      throw new Error('a later listener failed');
    }, 99);
    const agent = await loginAgent(hp);
    const page = await agent.get('/wp-admin/network/admin.php?page=example-coupons');
    const res = await agent.post('/wp-admin/network/admin.php?page=example-coupons').type('form').send({ _wpnonce: nonceIn(page.text), code: 'ROLLBACK', amount: '5' });
    expect(res.status).to.equal(500);
    expect(await redemptionRows(hp)).to.equal(0);
    expect((await webhooks.list_deliveries()).total).to.equal(0);
  });

  it('uninstalls from the Plugins screen once deactivated: asks first, then drops its table', async () => {
    await hp.plugins.activate('example-coupons');
    await hp.plugins.deactivate('example-coupons');
    const agent = await loginAgent(hp);
    const list = await agent.get('/wp-admin/network/plugins.php');
    expect(list.text).to.include('aria-label="Uninstall Example: Coupons"');
    const nonce = nonceNear(list.text, 'aria-label="Uninstall Example: Coupons"');
    const ask = await agent.post('/wp-admin/network/plugins.php').type('form').send({ _wpnonce: nonce, action: 'uninstall', plugin: 'example-coupons' });
    expect(ask.status).to.equal(200);
    expect(ask.text).to.include('Are you sure you want to uninstall “Example: Coupons” and delete all of its data?');
    expect(await redemptionRows(hp), 'the table is there until confirmed').to.equal(0);
    const done = await agent.post('/wp-admin/network/plugins.php').type('form').send({ _wpnonce: nonceIn(ask.text), action: 'uninstall', plugin: 'example-coupons', confirm: '1' });
    expect(done.status).to.equal(303);
    expect((await agent.get(done.headers.location!)).text).to.include('Plugin “Example: Coupons” uninstalled: its data was deleted.');
    expect(await redemptionRows(hp), 'the table is gone').to.equal(undefined);
    // Activating again starts from scratch.
    await hp.plugins.activate('example-coupons');
    expect(await redemptionRows(hp)).to.equal(0);
  });

  it('refuses to uninstall an active plugin', async () => {
    await hp.plugins.activate('example-coupons');
    try {
      await hp.plugins.uninstall('example-coupons');
      expect.fail('should throw');
    } catch (error) {
      expect(error).to.have.property('code', 'PLUGIN_ACTIVE');
    }
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
