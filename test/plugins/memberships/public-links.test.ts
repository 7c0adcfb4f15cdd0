import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { PUBLIC_PAGES_PER_MINUTE } from '../../../plugins/memberships/public-pages.js';
import type { MembershipsService } from '../../../plugins/memberships/service.js';
import { makeApp } from '../../helpers/app.js';
import { PLUGINS_DIR } from '../../helpers/webhooks.js';

describe('plugins/memberships public invoice and pay links', () => {
  let hp: HookpressApp;
  let base: string;
  beforeEach(async () => {
    hp = await makeApp({ pluginsDir: PLUGINS_DIR, pluginSlugs: ['memberships'], port: 0 });
    base = await hp.start();
  });
  afterEach(() => hp.close());

  async function payment() {
    const mb = hp.host.services.get('memberships')!.service as MembershipsService;
    const { user } = await hp.host.users.create({ login: 'ada', email: 'ada@example.com', password: 'password 123', display_name: 'Ada Lovelace' } as never);
    const product = await mb.createProduct({ name: 'Pro Plan', price_cents: 2900, setup_fee_cents: 0, currency: 'USD', period: 'month' });
    const customer = await mb.createCustomer({ user_id: user.id, billing_address: '', verify: false });
    const membership = await mb.createMembership({ customer_id: customer.id, product_id: product.id, status: 'active', date_expiration: null });
    return await mb.createPayment({ membership_id: membership.id, subtotal_cents: 2900, tax_cents: 0, status: 'pending' });
  }

  it('carry an unguessable token (≥ 128 bits), not the 32-bit reference, and are rate limited per client', async () => {
    const p = await payment();
    expect(p.access_token).to.match(/^[A-Za-z0-9_-]{32}$/); // 24 random bytes: 192 bits
    const invoice = await fetch(`${base}/memberships/invoice/${p.access_token}`);
    expect(invoice.status).to.equal(200);
    expect(await invoice.text()).to.include('Pro Plan').and.include('$29.00');
    expect((await fetch(`${base}/memberships/pay/${p.access_token}`)).status).to.equal(200);
    expect((await fetch(`${base}/memberships/invoice/${p.reference_code}`)).status, 'the reference opens nothing').to.equal(404);

    let status = 0;
    for (let i = 0; i < PUBLIC_PAGES_PER_MINUTE && status !== 429; i++) status = (await fetch(`${base}/memberships/invoice/PAY-${String(i).padStart(8, '0')}`)).status;
    expect(status, `at most ${PUBLIC_PAGES_PER_MINUTE} lookups a minute from one address`).to.equal(429);
  });
});
