import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import type { Membership, Payment } from '../../../plugins/memberships/data/store.js';
import type { MembershipsService } from '../../../plugins/memberships/service.js';
import { loginAgent, makeApp, nonceNear, type Agent } from '../../helpers/app.js';
import { FakeClock, PLUGINS_DIR } from '../../helpers/webhooks.js';

const DAY = 86_400_000;
const page = (slug: string, params = '') => `/wp-admin/network/admin.php?page=${slug}${params}`;

// Defects found by clicking through the memberships screens (issue #10, item 4). Each test
// failed before its fix.
describe('plugins/memberships: defects found while clicking through', () => {
  let hp: HookpressApp;
  let mb: MembershipsService;
  let agent: Agent;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock();
    clock.now = Date.UTC(2026, 10, 29, 12, 0, 0);
    hp = await makeApp({ clock: clock.fn, pluginsDir: PLUGINS_DIR, pluginSlugs: ['webhooks', 'memberships'], plugins: { webhooks: { autoStart: false } } });
    mb = hp.host.services.get('memberships')!.service as MembershipsService;
    agent = await loginAgent(hp);
  });
  afterEach(() => hp.close());

  const post = async (slug: string, marker: string, body: Record<string, string>) => {
    const form = await agent.get(page(slug));
    return agent.post(page(slug)).type('form').send({ _wpnonce: nonceNear(form.text, marker), ...body });
  };
  const customerFor = async (login: string) => {
    const { user } = await hp.host.users.create({ login, email: `${login}@example.com`, password: 'password 123' });
    return { user, customer: await mb.createCustomer({ user_id: user.id, billing_address: 'London', verify: false }) };
  };

  it('marking a renewal payment received extends the membership by its period, so the next renewal run bills nothing', async () => {
    const product = await mb.createProduct({ name: 'Pro Plan', price_cents: 2900, setup_fee_cents: 0, currency: 'USD', period: 'month' });
    const { customer } = await customerFor('ada');
    const expires = Date.UTC(2026, 11, 1);
    const m = await mb.createMembership({ customer_id: customer.id, product_id: product.id, status: 'active', date_expiration: expires });
    expect(await mb.runRenewals()).to.equal(1);
    const renewal = ((await mb.store.all<Payment>('mb_payments')).find((p) => p.is_renewal))!;
    const list = await agent.get(page('memberships-payments'));
    const res = await agent
      .post(page('memberships-payments'))
      .type('form')
      .send({ _wpnonce: nonceNear(list.text, `name="row_id" value="${renewal.id}"`), action: 'receive', row_id: String(renewal.id) });
    expect(res.status).to.equal(303);
    expect((await mb.store.get<Membership>('mb_memberships', m.id))!.date_expiration, 'one calendar month later').to.equal(Date.UTC(2027, 0, 1));
    expect(await mb.runRenewals(), 'the paid period is not billed again').to.equal(0);
  });

  it('a price with a fraction in a currency without minor units (JPY) is refused, not rounded', async () => {
    const res = await post('memberships-products', 'value="create"', { action: 'create', name: 'Yen Plan', price: '12.5', setup_fee: '0', currency: 'JPY', period: 'month' });
    expect(res.status).to.equal(422);
    expect(res.text).to.include('id="price-error"').and.include('JPY has no fractions');
    expect(await mb.store.all('mb_products')).to.have.length(0);
    expect((await post('memberships-products', 'value="create"', { action: 'create', name: 'Yen Plan', price: '1250', setup_fee: '0', currency: 'JPY', period: 'month' })).status).to.equal(303);
  });

  it('an impossible date (2026-02-31) or a year 999999 is refused, not shifted or turned into "never expires"', async () => {
    const product = await mb.createProduct({ name: 'Pro Plan', price_cents: 2900, setup_fee_cents: 0, currency: 'USD', period: 'month' });
    const { customer } = await customerFor('ada');
    const base = { action: 'create', customer_id: String(customer.id), product_id: String(product.id), status: 'active' };
    for (const bad of ['2026-02-31', '999999-01-01', '2026-13-01']) {
      const res = await post('memberships-memberships', 'value="create"', { ...base, date_expiration: bad });
      expect(res.status, bad).to.equal(422);
      expect(res.text).to.include('id="date_expiration-error"').and.include(`value="${bad}"`);
    }
    expect(await mb.store.all('mb_memberships')).to.have.length(0);
    expect((await post('memberships-memberships', 'value="create"', { ...base, date_expiration: '2028-02-29' })).status).to.equal(303);
    expect((await mb.store.all<Membership>('mb_memberships'))[0]!.date_expiration).to.equal(Date.UTC(2028, 1, 29));
  });

  it('"Mark email verified" from a stale tab says the address is already verified', async () => {
    const { user } = await hp.host.users.create({ login: 'ada', email: 'ada@example.com', password: 'password 123' });
    const c = await mb.createCustomer({ user_id: user.id, billing_address: '', verify: true });
    const stale = await agent.get(page('memberships-customers'));
    await mb.verifyEmail(c.verification_token!);
    const res = await agent
      .post(page('memberships-customers'))
      .type('form')
      .send({ _wpnonce: nonceNear(stale.text, `name="row_id" value="${c.id}"`), action: 'verify', row_id: String(c.id) });
    const after = await agent.get(res.headers.location as string);
    expect(after.text).to.include('already verified').and.not.include('Unknown action');
  });

  it('"Send invoice" to a customer whose user was deleted says why it cannot be sent, and fires nothing', async () => {
    const product = await mb.createProduct({ name: 'Pro Plan', price_cents: 2900, setup_fee_cents: 0, currency: 'USD', period: 'month' });
    const { user, customer } = await customerFor('ada');
    const m = await mb.createMembership({ customer_id: customer.id, product_id: product.id, status: 'active', date_expiration: null });
    const p = await mb.createPayment({ membership_id: m.id, subtotal_cents: 2900, tax_cents: 0, status: 'completed' });
    await hp.host.users.deleteAsync(user.id);
    let fired = 0;
    hp.hooks.add_action('memberships_invoice_sent', () => void fired++);
    const list = await agent.get(page('memberships-payments'));
    const res = await agent
      .post(page('memberships-payments'))
      .type('form')
      .send({ _wpnonce: nonceNear(list.text, 'name="action" value="invoice"'), action: 'invoice', row_id: String(p.id) });
    const after = await agent.get(res.headers.location as string);
    expect(after.text).to.include('user account was deleted').and.not.include('sent.');
    expect(fired).to.equal(0);
  });

  it('deleting a user who is a customer, or a site with domain mappings, warns before confirming', async () => {
    const { user } = await customerFor('ada');
    const userConfirm = await agent.get(`/wp-admin/network/users.php?action=confirm-delete&id=${user.id}`);
    expect(userConfirm.text).to.include('notice-warning').and.include('is a customer');
    const site = await hp.host.sites.createAsync({ slug: 'ada', title: 'Ada', admin_email: 'ada@example.com' });
    await mb.addDomain({ site_id: site.id, domain: 'ada.example.com', primary: true, secure: true });
    const siteConfirm = await agent.get(`/wp-admin/network/sites.php?action=confirm-delete&id=${site.id}`);
    expect(siteConfirm.text).to.include('notice-warning').and.include('ada.example.com');
    // Confirming removes the mapping with the site: nothing points at a missing site.
    await agent.post('/wp-admin/network/sites.php').type('form').send({ _wpnonce: nonceNear(siteConfirm.text, 'name="confirmed"'), action: 'delete', 'ids[]': String(site.id), confirmed: '1' });
    expect(await hp.host.sites.getAsync(site.id)).to.equal(undefined);
    expect(await mb.store.domainByName('ada.example.com')).to.equal(undefined);
    // A bulk delete from the list asks first too, with the same warning.
    const list = await agent.get('/wp-admin/network/users.php');
    const bulk = await agent.post('/wp-admin/network/users.php').type('form').send({ _wpnonce: nonceNear(list.text, 'name="ids[]"'), action: 'delete', 'ids[]': String(user.id) });
    expect(bulk.status).to.equal(200);
    expect(bulk.text).to.include('is a customer').and.include('name="confirmed"');
    expect(await hp.host.users.getAsync(user.id)).to.not.equal(undefined);
  });

  it('*_manage_url opens the item: the screen shows exactly the row with that id', async () => {
    const a = await customerFor('ada');
    const b = await customerFor('bob');
    const url = String(mb.payloads.customer(a.customer).customer_manage_url);
    const res = await agent.get(new URL(url).pathname + new URL(url).search);
    expect(res.text).to.include(`customers-row-${a.customer.id}"`).and.not.include(`customers-row-${b.customer.id}"`);
    expect(res.text).to.include('Show all');
    const siteUrl = String(mb.payloads.site(await hp.host.sites.createAsync({ slug: 'ada', title: 'Ada', admin_email: 'a@example.com' })).site_manage_url);
    await hp.host.sites.createAsync({ slug: 'ada-two', title: 'Ada two', admin_email: 'a@example.com' });
    const sites = await agent.get(new URL(siteUrl).pathname + new URL(siteUrl).search);
    expect(sites.text).to.include('<strong>ada</strong>').and.not.include('<strong>ada-two</strong>');
  });
});
