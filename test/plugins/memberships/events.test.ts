import { expect } from 'chai';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { HookpressApp } from '../../../core/app.js';
import type { MembershipsService } from '../../../plugins/memberships/service.js';
import type { WebhooksAsyncApi } from '../../../plugins/webhooks/api.js';
import type { WebhooksService } from '../../../plugins/webhooks/service.js';
import { makeApp } from '../../helpers/app.js';
import { Receiver } from '../../helpers/receiver.js';
import { FakeClock, PLUGINS_DIR, webhooksApi, webhooksEngine } from '../../helpers/webhooks.js';

const DAY = 86_400_000;

interface Ctx {
  hp: HookpressApp;
  webhooks: WebhooksService;
  /** The webhook and delivery-log methods as promises: the same on SQLite and PostgreSQL. */
  hooksApi: WebhooksAsyncApi;
  mb: MembershipsService;
  clock: FakeClock;
  ids: { customer: number; membership: number; product: number };
}

async function setup(): Promise<Ctx> {
  const clock = new FakeClock();
  const hp = await makeApp({
    clock: clock.fn,
    pluginsDir: PLUGINS_DIR,
    pluginSlugs: ['webhooks', 'memberships'],
    plugins: { webhooks: { autoStart: false, allowNetworks: '127.0.0.0/8', deps: { random: () => 0.5 } } },
  });
  const webhooks = webhooksEngine(hp);
  const mb = hp.host.services.get('memberships')!.service as MembershipsService;
  const { user } = await hp.host.users.create({ login: 'ada', email: 'ada@example.com', display_name: 'Ada Lovelace', password: 'password 123' });
  const product = await mb.createProduct({ name: 'Pro Plan', price_cents: 2900, setup_fee_cents: 2000, currency: 'USD', period: 'month' });
  const customer = await mb.createCustomer({ user_id: user.id, billing_address: '12 Analytical Row, London', verify: false });
  const membership = await mb.createMembership({ customer_id: customer.id, product_id: product.id, status: 'active', date_expiration: clock.now + 30 * DAY });
  // Fixtures fired events before anything subscribed: nothing is pending.
  return { hp, webhooks, hooksApi: webhooksApi(hp).async, mb, clock, ids: { customer: customer.id, membership: membership.id, product: product.id } };
}

describe('plugins/memberships: every catalogue event fires for real', () => {
  let c: Ctx;
  let receiver: Receiver;
  beforeEach(async () => {
    c = await setup();
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(async () => {
    await c.hp.close();
    await receiver.close();
  });

  /** Subscribes a webhook to `slug`, does the thing, and checks exactly one signed payload with the catalogue's keys. */
  async function expectOne(slug: string, doIt: () => unknown | Promise<unknown>): Promise<Record<string, unknown>> {
    const hook = await c.hooksApi.create_webhook({ name: `Receiver for ${slug}`, url: `${receiver.url}/${slug}`, event: slug });
    await doIt();
    await c.webhooks.worker.drain();
    const got = receiver.requests.filter((r) => r.path === `/${slug}`);
    expect(got, `${slug}: exactly one delivery`).to.have.length(1);
    const headers = Object.fromEntries(Object.entries(got[0]!.headers).map(([k, v]) => [k, String(v)]));
    // The library signs what it verifies; the fake clock may be days ahead of its own clock.
    const wh = new StandardWebhook(hook.secret);
    const expected = wh.sign(headers['webhook-id']!, new Date(Number(headers['webhook-timestamp']) * 1000), got[0]!.body);
    expect(headers['webhook-signature']).to.equal(expected);
    const payload = JSON.parse(got[0]!.body) as Record<string, unknown>;
    if (Math.abs(Number(headers['webhook-timestamp']) * 1000 - Date.now()) < 60_000) expect(wh.verify(got[0]!.body, headers)).to.deep.equal(payload);
    const sampleKeys = Object.keys(c.webhooks.wu_get_event_type(slug)!.sample());
    expect(Object.keys(payload).sort(), `${slug}: the catalogue's keys`).to.deep.equal([...sampleKeys, 'hookpress_version'].sort());
    return payload;
  }

  it('customer_created, when a customer is added', async () => {
    const { user } = await c.hp.host.users.create({ login: 'grace', email: 'grace@example.com', password: 'password 123' });
    const p = await expectOne('customer_created', () => c.mb.createCustomer({ user_id: user.id, billing_address: 'Arlington', verify: false }));
    expect(p).to.include({ customer_user_email: 'grace@example.com', customer_billing_address: 'Arlington' });
  });

  it('customer_updated, when a customer is changed', async () => {
    const p = await expectOne('customer_updated', () => c.mb.updateCustomer(c.ids.customer, { billing_address: 'New address' }));
    expect(p).to.include({ customer_id: c.ids.customer, customer_billing_address: 'New address', membership_id: c.ids.membership });
  });

  it('confirm_email_address, with a working verification link', async () => {
    const { user } = await c.hp.host.users.create({ login: 'linus', email: 'linus@example.com', password: 'password 123' });
    const p = await expectOne('confirm_email_address', () => c.mb.createCustomer({ user_id: user.id, billing_address: '', verify: true }));
    expect(p.customer_email_verification).to.equal('pending');
    const link = new URL(p.verification_link as string);
    const request = (await import('supertest')).default;
    const res = await request(c.hp.app).get(link.pathname);
    expect(res.status).to.equal(200);
    expect(res.text).to.include('your email address is verified');
    expect((await c.mb.store.customerByUser(user.id))!.email_verification).to.equal('verified');
    expect((await request(c.hp.app).get(link.pathname)).status, 'a link works once').to.equal(404);
  });

  it('membership_created and membership_updated', async () => {
    const created = await expectOne('membership_created', () =>
      c.mb.createMembership({ customer_id: c.ids.customer, product_id: c.ids.product, status: 'pending', date_expiration: null }),
    );
    expect(created).to.include({ membership_status: 'pending', membership_amount: '$29.00', membership_amount_raw: 29, membership_initial_amount: '$49.00', membership_initial_amount_raw: 49 });
    const updated = await expectOne('membership_updated', () => c.mb.updateMembership(c.ids.membership, { status: 'cancelled' }));
    expect(updated).to.include({ membership_status: 'cancelled' });
  });

  it('payment_created and payment_received when a payment is recorded as completed', async () => {
    const received = await expectOne('payment_received', () => c.mb.createPayment({ membership_id: c.ids.membership, subtotal_cents: 2900, tax_cents: 580, status: 'completed' }));
    expect(received).to.include({ payment_total: '$34.80', payment_total_raw: 34.8, payment_tax_total: '$5.80', payment_product_names: 'Pro Plan', payment_status: 'completed' });
    expect(received.payment_manage_url).to.include('/wp-admin/network/admin.php?page=memberships-payments');
    await expectOne('payment_created', () => c.mb.createPayment({ membership_id: c.ids.membership, subtotal_cents: 100, tax_cents: 0, status: 'pending' }));
  });

  it('payment_updated and payment_received when a pending payment is marked as received', async () => {
    const p = await c.mb.createPayment({ membership_id: c.ids.membership, subtotal_cents: 2900, tax_cents: 0, status: 'pending' });
    await expectOne('payment_updated', () => c.mb.markReceived(p.id));
    const q = await c.mb.createPayment({ membership_id: c.ids.membership, subtotal_cents: 2900, tax_cents: 0, status: 'pending' });
    const received = await expectOne('payment_received', () => c.mb.markReceived(q.id));
    expect(received).to.include({ payment_id: q.id, payment_status: 'completed' });
  });

  it('invoice_sent from Send invoice, with the payment URL and message; the invoice page works', async () => {
    const p = await c.mb.createPayment({ membership_id: c.ids.membership, subtotal_cents: 2900, tax_cents: 0, status: 'pending' });
    const payload = await expectOne('invoice_sent', () => c.mb.sendInvoice(p.id));
    const request = (await import('supertest')).default;
    const invoice = await request(c.hp.app).get(new URL(payload.payment_invoice_url as string).pathname);
    expect(invoice.text).to.include(`Invoice ${p.reference_code}`).and.include('$29.00');
    expect((await request(c.hp.app).get(new URL(payload.payment_url as string).pathname)).status).to.equal(200);
  });

  it('renewal_payment_created from the daily job, for a membership about to expire', async () => {
    c.clock.advance(28 * DAY);
    const payload = await expectOne('renewal_payment_created', () => c.hp.host.cron.runDue());
    expect(payload).to.include({ payment_status: 'pending', membership_id: c.ids.membership });
    // The link carries the payment's 192-bit access token, never its 32-bit reference.
    expect(payload.default_payment_url).to.match(/\/memberships\/pay\/[A-Za-z0-9_-]{32}$/);
    await c.hp.host.cron.runDue();
    c.clock.advance(DAY);
    await c.hp.host.cron.runDue();
    await c.webhooks.worker.drain();
    expect(receiver.requests.filter((r) => r.path === '/renewal_payment_created'), 'one renewal per term').to.have.length(1);
  });

  it('payment_failed when a pending renewal payment is marked failed', async () => {
    c.clock.advance(28 * DAY);
    await c.hp.host.cron.runDue();
    const renewal = ((await c.mb.store.all<{ id: number; is_renewal: number }>('mb_payments')).find((p) => p.is_renewal))!;
    const payload = await expectOne('payment_failed', () => c.mb.markFailed(renewal.id));
    expect(payload).to.include({ membership_id: c.ids.membership, payment_gateway: 'manual' });
  });

  it('membership_expired from the daily job, once the expiration date has passed', async () => {
    c.clock.advance(31 * DAY);
    const payload = await expectOne('membership_expired', () => c.hp.host.cron.runDue());
    expect(payload).to.include({ membership_id: c.ids.membership, membership_status: 'expired' });
  });

  it('site_published when a site is published for a membership', async () => {
    const payload = await expectOne('site_published', () => c.mb.publishSite({ membership_id: c.ids.membership, slug: 'ada-engines', title: 'Ada’s Engines' }));
    expect(payload).to.include({ site_title: 'Ada’s Engines', membership_id: c.ids.membership, customer_id: c.ids.customer });
  });

  it('domain_created when a domain is mapped to a site', async () => {
    const site = await c.mb.publishSite({ membership_id: c.ids.membership, slug: 'engines', title: 'Engines' });
    const payload = await expectOne('domain_created', () => c.mb.addDomain({ site_id: site.id, domain: 'engines.example.com', primary: true, secure: true }));
    expect(payload).to.include({ domain_domain: 'engines.example.com', domain_primary: true, domain_site_id: site.id, membership_id: c.ids.membership });
  });

  it('domain_created for a site without a membership: every key, the absent groups null', async () => {
    const site = await c.hp.host.sites.createAsync({ slug: 'lonely', title: 'Lonely', admin_email: 'admin@example.com' });
    const payload = await expectOne('domain_created', () => c.mb.addDomain({ site_id: site.id, domain: 'lonely.example.com', primary: false, secure: true }));
    expect(payload).to.include({ domain_domain: 'lonely.example.com', membership_id: null, customer_id: null, customer_user_email: null });
  });

  it('an event commits with the change that fired it: a change that fails after firing leaves neither', async () => {
    await c.hooksApi.create_webhook({ name: 'Payments', url: `${receiver.url}/payments`, event: 'payment_created' });
    const before = (await c.mb.store.all('mb_payments')).length;
    const boom = (): void => {
      throw new Error('a later listener fails');
    };
    c.hp.host.hooks.add_action('memberships_payment_created', boom, 20);
    const failed = await c.mb.createPayment({ membership_id: c.ids.membership, subtotal_cents: 100, tax_cents: 0, status: 'pending' }).then(() => 'committed', (e: Error) => e.message);
    expect(failed).to.equal('a later listener fails');
    c.hp.host.hooks.remove_action('memberships_payment_created', boom, 20);
    expect(await c.mb.store.all('mb_payments'), 'the payment rolled back').to.have.length(before);
    expect((await c.hooksApi.list_deliveries({ event: 'payment_created' })).total, 'and its event with it').to.equal(0);
    await c.mb.createPayment({ membership_id: c.ids.membership, subtotal_cents: 100, tax_cents: 0, status: 'pending' });
    expect((await c.hooksApi.list_deliveries({ event: 'payment_created' })).total, 'a change that commits brings its event').to.equal(1);
  });

  it('registers its event types on wu_register_all_events, each bound to its own plain action', async () => {
    const ours = c.webhooks.wu_get_event_types().filter((t) => t.source === 'memberships');
    expect(ours.map((t) => t.slug).sort()).to.deep.equal([
      'confirm_email_address', 'customer_created', 'customer_updated', 'domain_created', 'invoice_sent', 'membership_created', 'membership_expired',
      'membership_updated', 'payment_created', 'payment_failed', 'payment_received', 'payment_updated', 'renewal_payment_created', 'site_published',
    ]);
    for (const t of ours) expect(t.hook?.action, t.slug).to.equal(`memberships_${t.slug}`);
    await c.hp.plugins.deactivate('memberships');
    expect(c.webhooks.wu_get_event_types().map((t) => t.slug).sort(), 'deactivated: only the host’s own events remain').to.deep.equal(['site_created', 'user_created']);
    await c.hp.plugins.activate('memberships');
    expect(c.webhooks.wu_get_event_types().filter((t) => t.source === 'memberships')).to.have.length(ours.length);
  });

  it('every event in the Add New Webhook dropdown has a test above (or is the host’s own)', () => {
    const tested = new Set([
      'customer_created', 'customer_updated', 'confirm_email_address', 'membership_created', 'membership_updated', 'payment_created',
      'payment_updated', 'payment_received', 'invoice_sent', 'renewal_payment_created', 'payment_failed', 'membership_expired',
      'site_published', 'domain_created', 'user_created', 'site_created',
    ]);
    for (const t of c.webhooks.wu_get_event_types()) expect(tested.has(t.slug), t.slug).to.equal(true);
  });
});

describe('plugins/memberships: plain actions, no webhooks plugin needed', () => {
  it('fires memberships_<slug> with its records when the webhooks plugin is not there', async () => {
    const hp = await makeApp({ pluginsDir: PLUGINS_DIR, pluginSlugs: ['memberships'] });
    try {
      const mb = hp.host.services.get('memberships')!.service as MembershipsService;
      const seen: unknown[][] = [];
      hp.host.hooks.add_action('memberships_payment_received', (...args: unknown[]) => void seen.push(args), 10, 2);
      hp.host.hooks.add_action('memberships_invoice_sent', (...args: unknown[]) => void seen.push(args), 10, 2);
      const { user } = await hp.host.users.create({ login: 'ada', email: 'ada@example.com', password: 'password 123' });
      const product = await mb.createProduct({ name: 'Pro', price_cents: 100, setup_fee_cents: 0, currency: 'USD', period: 'month' });
      const customer = await mb.createCustomer({ user_id: user.id, billing_address: '', verify: false });
      const m = await mb.createMembership({ customer_id: customer.id, product_id: product.id, status: 'active', date_expiration: null });
      const p = await mb.createPayment({ membership_id: m.id, subtotal_cents: 100, tax_cents: 0, status: 'completed' });
      await mb.sendInvoice(p.id, 'Thanks');
      expect(seen).to.deep.equal([[p], [p, 'Thanks']]);
    } finally {
      await hp.close();
    }
  });

  it('imports nothing from plugins/webhooks', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const dir = path.join(PLUGINS_DIR, 'memberships');
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'));
    expect(files.length).to.be.greaterThan(5);
    for (const f of files) expect(await readFile(path.join(dir, f), 'utf8'), f).not.to.match(/from '[./]*\/webhooks\//);
  });
});
