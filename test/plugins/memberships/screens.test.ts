import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import type { MembershipsService } from '../../../plugins/memberships/service.js';
import { loginAgent, makeApp, nonceIn, nonceNear, type Agent } from '../../helpers/app.js';
import { PLUGINS_DIR } from '../../helpers/webhooks.js';

const page = (slug: string) => `/wp-admin/network/admin.php?page=${slug}`;

describe('plugins/memberships admin screens', () => {
  let hp: HookpressApp;
  let agent: Agent;
  let mb: MembershipsService;
  beforeEach(async () => {
    hp = await makeApp({ pluginsDir: PLUGINS_DIR, pluginSlugs: ['webhooks', 'memberships'], plugins: { webhooks: { autoStart: false } } });
    mb = hp.host.services.get('memberships')!.service as MembershipsService;
    agent = await loginAgent(hp);
  });
  afterEach(() => hp.close());

  const post = async (slug: string, marker: string, body: Record<string, string>) => {
    const form = await agent.get(page(slug));
    return agent.post(page(slug)).type('form').send({ _wpnonce: nonceNear(form.text, marker), ...body });
  };

  it('adds a product, a customer, a membership, a payment, a site and a domain through the screens', async () => {
    expect((await agent.get(page('memberships-memberships'))).text).to.include('<span class="menu-name">Memberships</span>');
    expect((await post('memberships-products', 'value="create"', { action: 'create', name: 'Pro Plan', price: '29', setup_fee: '20', currency: 'USD', period: 'month' })).status).to.equal(303);
    const product = (await mb.store.all<{ id: number; price_cents: number }>('mb_products'))[0]!;
    expect(product.price_cents).to.equal(2900);
    const { user } = await hp.host.users.create({ login: 'ada', email: 'ada@example.com', password: 'password 123' });
    await post('memberships-customers', 'value="create"', { action: 'create', user_id: String(user.id), billing_address: 'London', verify: '1' });
    const customer = (await mb.store.customerByUser(user.id))!;
    expect(customer.email_verification).to.equal('pending');
    await post('memberships-memberships', 'value="create"', { action: 'create', customer_id: String(customer.id), product_id: String(product.id), status: 'active', date_expiration: '2030-01-01' });
    const membership = (await mb.store.all<{ id: number; status: string }>('mb_memberships'))[0]!;
    await post('memberships-payments', 'value="create"', { action: 'create', membership_id: String(membership.id), subtotal: '29.00', tax: '5.80', status: 'pending' });
    const payment = (await mb.store.all<{ id: number; total_cents: number; status: string }>('mb_payments'))[0]!;
    expect(payment).to.include({ total_cents: 3480, status: 'pending' });
    await post('memberships-memberships', 'value="publish-site"', { action: 'publish-site', site_membership_id: String(membership.id), slug: 'ada', title: 'Ada' });
    const site = (await hp.host.sites.listAsync({ search: 'ada', limit: 5, offset: 0 })).items[0]!;
    await post('memberships-domains', 'value="create"', { action: 'create', site_id: String(site.id), domain: 'ada.example.com', secure: '1' });
    expect(await mb.store.domainByName('ada.example.com')).to.include({ site_id: site.id, secure: 1 });
    const list = await agent.get(page('memberships-payments'));
    expect(list.text).to.include('$34.80').and.include('Mark as received').and.include('Send invoice');
    await agent.post(page('memberships-payments')).type('form').send({ _wpnonce: nonceNear(list.text, 'name="action" value="receive"'), action: 'receive', row_id: String(payment.id) });
    expect((await mb.store.get<{ status: string }>('mb_payments', payment.id))!.status).to.equal('completed');
  });

  it('validates with an error next to each field and keeps the values', async () => {
    const res = await post('memberships-products', 'value="create"', { action: 'create', name: 'X', price: 'free', currency: 'XYZ', period: 'daily' });
    expect(res.status).to.equal(422);
    expect(res.text).to.include('id="name-error"').and.include('id="price-error"').and.include('id="currency-error"').and.include('value="free"');
  });

  it('checks the nonce and the capability', async () => {
    expect((await agent.post(page('memberships-products')).type('form').send({ action: 'create', name: 'Pro', price: '1', currency: 'USD', period: 'month' })).status).to.equal(403);
    await hp.host.users.create({ login: 'bob', email: 'bob@example.com', password: 'password 123' });
    const bob = await loginAgent(hp, 'bob', 'password 123');
    expect((await bob.get(page('memberships-products'))).status).to.equal(403);
    const form = await agent.get(page('memberships-products'));
    expect((await bob.post(page('memberships-products')).type('form').send({ _wpnonce: nonceIn(form.text), action: 'create' })).status).to.equal(403);
  });
});
