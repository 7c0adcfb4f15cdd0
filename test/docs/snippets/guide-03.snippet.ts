// Generated from docs/plugin-authoring.md (block 3) by tools/doc-snippets.ts — do not edit; edit the doc and run npm run docs:snippets.
import { expect } from 'chai';
import { createTestHost, type TestHost } from '../../../core/plugin-testkit.js';
import type { WebhooksApi } from '../../../core/plugin-sdk.js';

describe('my coupons', () => {
  let host: TestHost;
  beforeEach(async () => {
    host = await createTestHost({ plugins: ['webhooks', 'example-coupons'] });
  });
  afterEach(() => host.close());

  it('sends a signed coupon_redeemed event', async () => {
    const receiver = await host.receiver();                       // 127.0.0.1, random port
    host.service<WebhooksApi>('webhooks').create_webhook({ name: 'Test', url: receiver.url, event: 'coupon_redeemed' });
    const admin = await host.login();                             // the super admin
    const res = await admin.submit(host.pageUrl('example-coupons'), { code: 'HELLO', amount: '5' });
    expect(res.status).to.equal(303);
    expect((await admin.follow(res)).text).to.include('Coupon HELLO redeemed.');
    await host.deliverNow();                                      // the worker does not run by itself
    expect(JSON.parse(receiver.requests[0]!.body)).to.include({ coupon_code: 'HELLO' });
    const rows = await host.db().selectFrom('example_coupon_redemptions').selectAll().execute();  // api.db's Kysely
    expect(rows.map((r) => r.code)).to.deep.equal(['HELLO']);
  });
});
