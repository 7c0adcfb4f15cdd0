import { expect } from 'chai';
import { createTestHost, type TestHost } from '../../../core/plugin-testkit.js';
import type { WebhooksApi } from '../../../core/plugin-sdk.js';

describe('core/plugin-testkit (the plugin authors’ test kit)', () => {
  let host: TestHost;
  afterEach(() => host?.close());

  it('activates the listed plugins, logs in, submits a form with its nonce, and delivers now', async () => {
    host = await createTestHost({ plugins: ['webhooks', 'example-coupons'] });
    expect(host.hp.plugins.isActive('example-coupons'), 'inactive by default, activated by the kit').to.equal(true);
    const receiver = await host.receiver();
    host.service<WebhooksApi>('webhooks').create_webhook({ name: 'Coupons', url: `${receiver.url}/in`, event: 'coupon_redeemed' });
    const admin = await host.login();
    const res = await admin.submit(host.pageUrl('example-coupons'), { code: 'kit10', amount: '10' }, { marker: 'Redeem coupon' });
    expect(res.status).to.equal(303);
    expect((await admin.follow(res)).text).to.include('Coupon KIT10 redeemed.');
    expect(receiver.requests).to.have.length(0);
    expect(await host.deliverNow()).to.equal(1);
    expect(JSON.parse(receiver.requests[0]!.body)).to.include({ coupon_code: 'KIT10' });
    // host.db() is the query builder plugins get as api.db: the redemption row is there.
    const rows = await host.db<{ example_coupon_redemptions: { code: string; amount_cents: number } }>().selectFrom('example_coupon_redemptions').select(['code', 'amount_cents']).execute();
    expect(rows).to.deep.equal([{ code: 'KIT10', amount_cents: 1000 }]);
  });

  it('a fake clock drives the host: cron events fall due when it advances', async () => {
    host = await createTestHost({ plugins: [], start: new Date('2030-01-01T00:00:00Z') });
    expect(host.hp.host.config.clock()).to.equal(Date.parse('2030-01-01T00:00:00Z'));
    let ran = 0;
    host.hp.hooks.add_action('kit_job', () => void ran++);
    host.hp.host.cron.wp_schedule_single_event(Math.floor(host.clock.now / 1000) + 60, 'kit_job');
    expect(await host.runCron()).to.equal(0);
    host.clock.advance(61_000);
    expect(await host.runCron()).to.equal(1);
    expect(ran).to.equal(1);
  });

  it('fails clearly for a plugin that does not exist, and for a page that does not answer 200', async () => {
    try {
      await createTestHost({ plugins: ['no-such-plugin'] });
      expect.fail('should throw');
    } catch (error) {
      expect((error as Error).message).to.equal('There is no plugin "no-such-plugin" in plugins/.');
    }
    host = await createTestHost({ plugins: [] });
    const admin = await host.login();
    try {
      await admin.page(host.pageUrl('missing'));
      expect.fail('should throw');
    } catch (error) {
      expect((error as Error).message).to.match(/^GET \/wp-admin\/network\/admin\.php\?page=missing answered 404/);
    }
  });
});
