import path from 'node:path';
import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { FakeClock } from '../../../core/testing/fake-clock.js';
import type { MembershipsService } from '../../../plugins/memberships/service.js';
import { eventBuilders } from '../../../plugins/memberships/payloads.js';
import { firstPassOnly, loginAgent, makeApp, nonceNear, type Agent } from '../../helpers/app.js';
import { freshDatabaseUrl, rows, TEST_DATABASE_URL } from '../../helpers/backends.js';
import { pluginsFolder } from '../../helpers/child-host.js';

const page = (slug: string) => `/wp-admin/network/admin.php?page=${slug}`;
const DAY = 86_400_000;

/**
 * The memberships plugin on a host running on PostgreSQL: every screen and action, its daily
 * jobs, and users a second process created (which the synchronous `api.users.get` of this
 * process never read).
 */
(TEST_DATABASE_URL ? describe : describe.skip)('plugins/memberships on PostgreSQL', function () {
  this.timeout(30_000);
  // Its hosts are on PostgreSQL already: the PostgreSQL pass would only repeat it.
  firstPassOnly();
  const plugins = pluginsFolder(['memberships'], []);
  after(() => plugins.remove());
  const opened: HookpressApp[] = [];
  afterEach(async () => {
    for (const hp of opened.splice(0).reverse()) await hp.close();
  });
  const pgApp = async (databaseUrl: string, clock: FakeClock) => {
    const hp = await makeApp({ databaseUrl, dataDir: path.join('/nonexistent', 'hookpress-pg-test'), pluginsDir: plugins.dir, pluginSlugs: ['memberships'], clock: clock.fn });
    opened.push(hp);
    return hp;
  };
  const serviceOf = (hp: HookpressApp) => hp.host.services.get('memberships')!.service as MembershipsService;

  /** GETs the screen (200 expected), then posts the form or row action next to `marker` with its nonce. */
  const post = async (agent: Agent, slug: string, marker: string, body: Record<string, string>) => {
    const form = await agent.get(page(slug));
    expect(form.status, `GET ${slug}`).to.equal(200);
    return agent.post(page(slug)).type('form').send({ _wpnonce: nonceNear(form.text, marker), ...body });
  };

  it('every screen answers and every action writes its rows: product, customer (a user another process made), membership, payment received (events), site, domain, deletion warnings', async () => {
    const url = await freshDatabaseUrl();
    const clock = new FakeClock();
    // Two processes on one database: B adds the user, A (whose synchronous cache never saw it) makes them a customer.
    const [a, b] = [await pgApp(url, clock), await pgApp(url, clock)];
    const { user: ada } = await b.host.users.create({ login: 'ada', email: 'ada@example.com', display_name: 'Ada Lovelace', password: 'password 123' });
    expect(a.host.users.get(ada.id), 'process A has not read Ada').to.equal(undefined);
    const fired: Array<[string, Record<string, unknown>]> = [];
    const builders = eventBuilders(serviceOf(a).payloads);
    for (const slug of ['customer_created', 'payment_updated', 'payment_received'] as const) {
      a.host.hooks.add_action(`memberships_${slug}`, (...args: unknown[]) => void fired.push([slug, (builders[slug] as (...x: unknown[]) => Record<string, unknown>)(...args)]));
    }
    const agent = await loginAgent(a);
    for (const slug of ['memberships-memberships', 'memberships-customers', 'memberships-products', 'memberships-payments', 'memberships-domains']) {
      expect((await agent.get(page(slug))).status, slug).to.equal(200);
    }

    expect((await post(agent, 'memberships-products', 'value="create"', { action: 'create', name: 'Pro Plan', price: '29', setup_fee: '0', currency: 'USD', period: 'month' })).status).to.equal(303);
    const [product] = await rows<{ id: number; price_cents: number }>(url, 'SELECT id, price_cents FROM mb_products');
    expect(Number(product!.price_cents)).to.equal(2900);

    // The customer: the service itself first (no screen read Ada into A before), then the screen lists her.
    const customer = await serviceOf(a).createCustomer({ user_id: ada.id, billing_address: 'London', verify: false });
    expect(fired.find(([s]) => s === 'customer_created')?.[1]).to.include({ customer_name: 'Ada Lovelace', customer_user_email: 'ada@example.com' });
    const customers = await agent.get(page('memberships-customers'));
    expect(customers.text).to.include('Ada Lovelace').and.include('ada@example.com');
    const { user: grace } = await b.host.users.create({ login: 'grace', email: 'grace@example.com', display_name: 'Grace Hopper', password: 'password 123' });
    expect((await agent.get(page('memberships-customers'))).text, 'Grace is offered as a new customer').to.include('Grace Hopper (grace)');
    expect((await post(agent, 'memberships-customers', 'value="create"', { action: 'create', user_id: String(grace.id), billing_address: 'Arlington' })).status).to.equal(303);
    expect(await rows(url, 'SELECT user_id FROM mb_customers ORDER BY id')).to.deep.equal([{ user_id: ada.id }, { user_id: grace.id }]);

    expect(
      (await post(agent, 'memberships-memberships', 'value="create"', { action: 'create', customer_id: String(customer.id), product_id: String(product!.id), status: 'active', date_expiration: '2030-01-01' }))
        .status,
    ).to.equal(303);
    const [membership] = await rows<{ id: number; status: string }>(url, 'SELECT id, status FROM mb_memberships');
    expect(membership!.status).to.equal('active');
    expect((await agent.get(page('memberships-memberships'))).text).to.include('Ada Lovelace (#');

    expect((await post(agent, 'memberships-payments', 'value="create"', { action: 'create', membership_id: String(membership!.id), subtotal: '29.00', tax: '0', status: 'pending' })).status).to.equal(303);
    const [payment] = await rows<{ id: number }>(url, 'SELECT id FROM mb_payments');
    fired.length = 0;
    const received = await post(agent, 'memberships-payments', 'name="action" value="receive"', { action: 'receive', row_id: String(payment!.id) });
    expect(received.status).to.equal(303);
    expect(await rows(url, 'SELECT status FROM mb_payments')).to.deep.equal([{ status: 'completed' }]);
    expect(fired.map(([s]) => s)).to.deep.equal(['payment_updated', 'payment_received']);
    expect(fired[1]![1]).to.include({ payment_status: 'completed', customer_name: 'Ada Lovelace' });

    // A site for the membership (api.sites.createAsync), then a domain mapped to it (api.sites.getAsync).
    expect((await post(agent, 'memberships-memberships', 'value="publish-site"', { action: 'publish-site', site_membership_id: String(membership!.id), slug: 'ada', title: 'Ada’s Engines' })).status).to.equal(303);
    const [site] = await rows<{ id: number; admin_email: string }>(url, "SELECT id, admin_email FROM sites WHERE slug = 'ada'");
    expect(site!.admin_email, "the customer's email").to.equal('ada@example.com');
    expect(await rows(url, 'SELECT site_id, membership_id FROM mb_site_memberships')).to.deep.equal([{ site_id: site!.id, membership_id: membership!.id }]);
    const domainsScreen = await agent.get(page('memberships-domains'));
    expect(domainsScreen.text, 'the new site is offered').to.include('Ada’s Engines (ada)');
    expect((await post(agent, 'memberships-domains', 'value="create"', { action: 'create', site_id: String(site!.id), domain: 'ada.example.com', secure: '1' })).status).to.equal(303);
    expect(await rows(url, 'SELECT site_id, domain, secure FROM mb_domains')).to.deep.equal([{ site_id: site!.id, domain: 'ada.example.com', secure: 1 }]);
    const listed = await agent.get(page('memberships-domains'));
    expect(listed.status).to.equal(200);
    expect(listed.text).to.include('ada.example.com').and.include('Ada’s Engines');
    // Deleting asks first, with what memberships says depends on the user and the site (read through api.db).
    const userConfirm = await agent.get(`/wp-admin/network/users.php?action=confirm-delete&id=${ada.id}`);
    expect(userConfirm.text).to.include('ada is a customer (#').and.include('with 1 membership and 1 payment');
    const siteConfirm = await agent.get(`/wp-admin/network/sites.php?action=confirm-delete&id=${site!.id}`);
    expect(siteConfirm.text).to.include('Its domain mapping ada.example.com will be removed too.');
    // Validation still answers next to the field (a taken site address).
    const taken = await post(agent, 'memberships-memberships', 'value="publish-site"', { action: 'publish-site', site_membership_id: String(membership!.id), slug: 'ada', title: 'Again' });
    expect(taken.status).to.equal(422);
    expect(taken.text).to.include('That site address is already taken.');
  });

  it('the daily jobs run on the scheduler: a renewal payment for a membership about to expire, an expired one expires', async () => {
    const url = await freshDatabaseUrl();
    const clock = new FakeClock();
    const hp = await pgApp(url, clock);
    const mb = serviceOf(hp);
    // The jobs were scheduled at load for now: the first run finds nothing.
    await hp.host.cron.runDue();
    const { user } = await hp.host.users.create({ login: 'ada', email: 'ada@example.com', password: 'password 123' });
    const product = await mb.createProduct({ name: 'Pro', price_cents: 1000, setup_fee_cents: 0, currency: 'USD', period: 'month' });
    const customer = await mb.createCustomer({ user_id: user.id, billing_address: '', verify: false });
    const soon = await mb.createMembership({ customer_id: customer.id, product_id: product.id, status: 'active', date_expiration: clock.now + 2 * DAY + DAY / 2 });
    const lapsing = await mb.createMembership({ customer_id: customer.id, product_id: product.id, status: 'active', date_expiration: clock.now + DAY / 2 });
    clock.advance(DAY + 60_000);
    expect(await hp.host.cron.runDue(), 'both daily jobs').to.equal(2);
    const payments = await rows<{ membership_id: number; is_renewal: number; status: string }>(url, 'SELECT membership_id, is_renewal, status FROM mb_payments ORDER BY membership_id');
    expect(payments).to.deep.include({ membership_id: soon.id, is_renewal: 1, status: 'pending' });
    expect(await rows(url, 'SELECT status FROM mb_memberships WHERE id = $1', [lapsing.id])).to.deep.equal([{ status: 'expired' }]);
  });
});
