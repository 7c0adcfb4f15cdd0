import { TEXT_LIMITS, tooLong } from '../../core/plugin-sdk.js';
import { randomBytes } from 'node:crypto';
import { paymentAccessToken } from './data/migrations.js';
import type { PluginApi, Site } from '../../core/plugin-sdk.js';
import { MembershipsStore, type MembershipTables, type Customer, type Domain, type Membership, type Payment, type Product } from './data/store.js';
import { eventBuilders, Payloads, Related } from './payloads.js';
import { membershipAction } from './events/catalogue.js';
import type { MembershipEvent } from './events/payload-keys.js';
import { addPeriod } from './dates.js';
import { fractionError } from './money.js';
import { MembershipError } from './errors.js';

export { MembershipError };

const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'BRL', 'JPY'];
const PERIODS = ['month', 'year', 'one-time'];
const STATUSES = ['pending', 'active', 'expired', 'cancelled'];
const DAY = 86_400_000;
/** A renewal payment is created this long before the membership expires. */
export const RENEWAL_LEAD_MS = 3 * DAY;

const reference = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex').toUpperCase()}`;

/** What each memberships action passes: `do_action('memberships_<slug>', ...MembershipActionArgs[slug])`. */
export type MembershipActionArgs = { [S in MembershipEvent]: Parameters<ReturnType<typeof eventBuilders>[S]> };

/**
 * The minimal business behind the original product's events. Every change fires a plain
 * action, `memberships_<slug>` with the records it is about; the event types this plugin
 * registers on `wu_register_all_events` are bound to those actions (./events/catalogue.ts).
 */
export class MembershipsService {
  readonly store: MembershipsStore;
  readonly payloads: Payloads;

  // Each public change runs in one transaction (api.db, Kysely) with the events it fires: the
  // business change and its outbox rows commit together, or neither does. The private `_…`
  // methods take the store bound to that transaction (`s`), so they compose without nesting.
  constructor(private readonly api: PluginApi<MembershipTables>) {
    this.store = new MembershipsStore(api.db);
    this.payloads = new Payloads(api);
  }

  /**
   * Fires the plain action of `slug` — inside the caller's transaction (`s`), so its event
   * commits with the change. The records its payload needs are read first (when anyone listens):
   * the payload is built synchronously inside do_action.
   */
  private async fire<S extends MembershipEvent>(s: MembershipsStore, slug: S, ...args: MembershipActionArgs[S]): Promise<void> {
    const action = membershipAction(slug);
    // Fired even with no listener (did_action counts it, as in WordPress); the reads only when one listens.
    const related = this.api.hooks.has_action(action) ? await Related.load(s, slug, args, (id) => this.api.users.getAsync(id)) : new Related();
    this.payloads.withRelated(related, () => this.api.hooks.do_action(action, ...args));
  }

  private now(): number {
    return this.api.clock();
  }

  // ── Products ──
  async createProduct(input: { name: string; price_cents: number | null; setup_fee_cents: number | null; currency: string; period: string }): Promise<Product> {
    const errors: Record<string, string> = {};
    if (!input.name || input.name.trim().length < 2) errors.name = 'Give the product a name of at least 2 characters.';
    else if (input.name.trim().length > TEXT_LIMITS.name) errors.name = tooLong('A product name', input.name.trim(), TEXT_LIMITS.name);
    if (input.price_cents === null || input.price_cents < 0) errors.price = 'Enter a price such as 29 or 29.99.';
    if (input.setup_fee_cents === null || input.setup_fee_cents < 0) errors.setup_fee = 'Enter a setup fee such as 0 or 9.99.';
    if (!CURRENCIES.includes(input.currency)) errors.currency = `Choose one of ${CURRENCIES.join(', ')}.`;
    else {
      const price = errors.price ? undefined : fractionError(input.price_cents, input.currency);
      if (price) errors.price = price;
      const fee = errors.setup_fee ? undefined : fractionError(input.setup_fee_cents, input.currency);
      if (fee) errors.setup_fee = fee;
    }
    if (!PERIODS.includes(input.period)) errors.period = 'Choose monthly, yearly or one-time.';
    if (Object.keys(errors).length) throw new MembershipError(errors);
    const row = { name: input.name.trim(), price_cents: input.price_cents!, setup_fee_cents: input.setup_fee_cents!, currency: input.currency, period: input.period, created_at: this.now() };
    const id = await this.store.insert('mb_products', row);
    return { id, ...row };
  }

  // ── Customers ──
  /** Creates a customer for a user; with `verify`, fires confirm_email_address with a working link. */
  createCustomer(input: { user_id: number; billing_address: string; verify: boolean }): Promise<Customer> {
    return this.store.transaction((s) => this._createCustomer(s, input));
  }

  private async _createCustomer(s: MembershipsStore, input: { user_id: number; billing_address: string; verify: boolean }): Promise<Customer> {
    const errors: Record<string, string> = {};
    if (!(await this.api.users.getAsync(input.user_id))) errors.user_id = 'Choose an existing user.';
    else if (await s.customerByUser(input.user_id)) errors.user_id = 'That user is already a customer.';
    if (input.billing_address.length > 500) errors.billing_address = 'The billing address can have at most 500 characters.';
    if (Object.keys(errors).length) throw new MembershipError(errors);
    const now = this.now();
    const row = {
      user_id: input.user_id,
      email_verification: input.verify ? 'pending' : 'none',
      verification_token: input.verify ? randomBytes(16).toString('hex') : null,
      billing_address: input.billing_address.trim(),
      created_at: now,
      updated_at: now,
    };
    const customer: Customer = { id: await s.insert('mb_customers', row), ...row };
    await this.fire(s, 'customer_created', customer);
    if (input.verify) await this.fire(s, 'confirm_email_address', customer);
    return customer;
  }

  /** The verification link's target: marks the customer verified (customer_updated). */
  verifyEmail(token: string): Promise<Customer | undefined> {
    return this.store.transaction((s) => this._verifyEmail(s, token));
  }

  private async _verifyEmail(s: MembershipsStore, token: string): Promise<Customer | undefined> {
    if (!/^[0-9a-f]{32}$/.test(token)) return undefined;
    const c = await s.customerByToken(token);
    if (!c) return undefined;
    await s.update('mb_customers', c.id, { email_verification: 'verified', verification_token: null, updated_at: this.now() });
    const updated = (await s.get<Customer>('mb_customers', c.id))!;
    await this.fire(s, 'customer_updated', updated);
    return updated;
  }

  updateCustomer(id: number, patch: { billing_address: string }): Promise<Customer> {
    return this.store.transaction((s) => this._updateCustomer(s, id, patch));
  }

  private async _updateCustomer(s: MembershipsStore, id: number, patch: { billing_address: string }): Promise<Customer> {
    const c = await this.requireCustomer(s, id);
    if (patch.billing_address.length > 500) throw new MembershipError({ billing_address: 'The billing address can have at most 500 characters.' });
    await s.update('mb_customers', id, { billing_address: patch.billing_address.trim(), updated_at: this.now() });
    const updated = (await s.get<Customer>('mb_customers', c.id))!;
    await this.fire(s, 'customer_updated', updated);
    return updated;
  }

  // ── Memberships ──
  createMembership(input: { customer_id: number; product_id: number; status: string; date_expiration: number | null }): Promise<Membership> {
    return this.store.transaction((s) => this._createMembership(s, input));
  }

  private async _createMembership(s: MembershipsStore, input: { customer_id: number; product_id: number; status: string; date_expiration: number | null }): Promise<Membership> {
    const errors: Record<string, string> = {};
    const customer = await s.get<Customer>('mb_customers', input.customer_id);
    const product = await s.get<Product>('mb_products', input.product_id);
    if (!customer) errors.customer_id = 'Choose a customer.';
    if (!product) errors.product_id = 'Choose a product.';
    if (!STATUSES.includes(input.status)) errors.status = `Choose one of ${STATUSES.join(', ')}.`;
    if (input.date_expiration !== null && !Number.isFinite(input.date_expiration)) {
      errors.date_expiration = 'Enter a real date such as 2027-01-31 (years 1970 to 9999), or leave it empty for a membership that never expires.';
    }
    if (Object.keys(errors).length) throw new MembershipError(errors);
    const now = this.now();
    const row = {
      customer_id: customer!.id,
      product_id: product!.id,
      status: input.status,
      reference_code: reference('MEM'),
      initial_amount_cents: product!.price_cents + product!.setup_fee_cents,
      amount_cents: product!.price_cents,
      currency: product!.currency,
      gateway: 'manual',
      date_expiration: input.date_expiration,
      created_at: now,
      updated_at: now,
    };
    const m: Membership = { id: await s.insert('mb_memberships', row), ...row };
    await this.fire(s, 'membership_created', m);
    return m;
  }

  updateMembership(id: number, patch: { status?: string; date_expiration?: number | null }): Promise<Membership> {
    return this.store.transaction((s) => this._updateMembership(s, id, patch));
  }

  private async _updateMembership(s: MembershipsStore, id: number, patch: { status?: string; date_expiration?: number | null }): Promise<Membership> {
    const m = await this.requireMembership(s, id);
    if (patch.status !== undefined && !STATUSES.includes(patch.status)) throw new MembershipError({ status: `Choose one of ${STATUSES.join(', ')}.` });
    await s.update('mb_memberships', id, { ...patch, updated_at: this.now() });
    const updated = (await s.get<Membership>('mb_memberships', m.id))!;
    await this.fire(s, 'membership_updated', updated);
    return updated;
  }

  // ── Payments ──
  /** Records a payment; a completed one is also a payment_received. */
  createPayment(input: { membership_id: number; subtotal_cents: number | null; tax_cents: number | null; status: string; is_renewal?: boolean }): Promise<Payment> {
    return this.store.transaction((s) => this._createPayment(s, input));
  }

  private async _createPayment(s: MembershipsStore, input: { membership_id: number; subtotal_cents: number | null; tax_cents: number | null; status: string; is_renewal?: boolean }): Promise<Payment> {
    const errors: Record<string, string> = {};
    const m = await s.get<Membership>('mb_memberships', input.membership_id);
    if (!m) errors.membership_id = 'Choose a membership.';
    if (input.subtotal_cents === null || input.subtotal_cents < 0) errors.subtotal = 'Enter an amount such as 29.00.';
    if (input.tax_cents === null || input.tax_cents < 0) errors.tax = 'Enter a tax amount such as 0 or 5.80.';
    if (!['pending', 'completed'].includes(input.status)) errors.status = 'A new payment is pending or completed.';
    if (m) {
      const subtotal = errors.subtotal ? undefined : fractionError(input.subtotal_cents, m.currency);
      if (subtotal) errors.subtotal = subtotal;
      const tax = errors.tax ? undefined : fractionError(input.tax_cents, m.currency);
      if (tax) errors.tax = tax;
    }
    if (Object.keys(errors).length) throw new MembershipError(errors);
    const now = this.now();
    const row = {
      membership_id: m!.id,
      subtotal_cents: input.subtotal_cents!,
      tax_cents: input.tax_cents!,
      total_cents: input.subtotal_cents! + input.tax_cents!,
      currency: m!.currency,
      status: input.status,
      reference_code: reference('PAY'),
      access_token: paymentAccessToken(),
      is_renewal: input.is_renewal ? 1 : 0,
      gateway: 'manual',
      created_at: now,
      updated_at: now,
    };
    const p: Payment = { id: await s.insert('mb_payments', row), ...row };
    await this.fire(s, 'payment_created', p);
    if (p.is_renewal) await this.fire(s, 'renewal_payment_created', p);
    if (p.status === 'completed') await this.fire(s, 'payment_received', p);
    return p;
  }

  /** Marks a pending payment as received: payment_updated, then payment_received. */
  markReceived(id: number): Promise<Payment> {
    return this.store.transaction((s) => this._markReceived(s, id));
  }

  private async _markReceived(s: MembershipsStore, id: number): Promise<Payment> {
    const p = await this.requirePayment(s, id);
    if (p.status !== 'pending') throw new MembershipError({ status: 'Only a pending payment can be marked as received.' });
    const updated = await this.setPaymentStatus(s, p, 'completed');
    await this.fire(s, 'payment_received', updated);
    if (updated.is_renewal) await this.extendForRenewal(s, updated);
    return updated;
  }

  /**
   * A received renewal pays for the next period: the membership's expiration moves one billing
   * period on from its current expiration (or from now, when it already lapsed), and an
   * expired membership becomes active again. Without this the next renewal run would bill
   * the same period again.
   */
  private async extendForRenewal(s: MembershipsStore, p: Payment): Promise<void> {
    const m = (await s.get<Membership>('mb_memberships', p.membership_id))!;
    const product = await s.get<Product>('mb_products', m.product_id);
    if (!product || (product.period !== 'month' && product.period !== 'year')) return;
    const from = Math.max(m.date_expiration ?? this.now(), this.now());
    await this._updateMembership(s, m.id, {
      date_expiration: addPeriod(from, product.period),
      ...(m.status === 'expired' ? { status: 'active' } : {}),
    });
  }

  /** Marks a pending renewal payment as failed: payment_updated, then payment_failed. */
  markFailed(id: number): Promise<Payment> {
    return this.store.transaction((s) => this._markFailed(s, id));
  }

  private async _markFailed(s: MembershipsStore, id: number): Promise<Payment> {
    const p = await this.requirePayment(s, id);
    if (p.status !== 'pending' || !p.is_renewal) throw new MembershipError({ status: 'Only a pending renewal payment can be marked as failed.' });
    const updated = await this.setPaymentStatus(s, p, 'failed');
    await this.fire(s, 'payment_failed', updated);
    return updated;
  }

  /** Sends the payment's invoice to the customer: invoice_sent. */
  sendInvoice(id: number, message?: string): Promise<Payment> {
    return this.store.transaction((s) => this._sendInvoice(s, id, message));
  }

  private async _sendInvoice(s: MembershipsStore, id: number, message?: string): Promise<Payment> {
    const p = await this.requirePayment(s, id);
    const m = (await s.get<Membership>('mb_memberships', p.membership_id))!;
    const customer = (await s.get<Customer>('mb_customers', m.customer_id))!;
    if (!(await this.api.users.getAsync(customer.user_id))) {
      throw new MembershipError(
        { id: `The invoice of payment ${p.reference_code} was not sent: the customer’s user account was deleted, so there is no one to send it to.` },
        'MEMBERSHIP_CUSTOMER_ORPHANED',
      );
    }
    await this.fire(s, 'invoice_sent', p, message?.trim() || `Thank you for your business. Your invoice ${p.reference_code} is available at the link below.`);
    return p;
  }

  private async setPaymentStatus(s: MembershipsStore, p: Payment, status: string): Promise<Payment> {
    await s.update('mb_payments', p.id, { status, updated_at: this.now() });
    const updated = (await s.get<Payment>('mb_payments', p.id))!;
    await this.fire(s, 'payment_updated', updated);
    return updated;
  }

  // ── Sites and domains ──
  /** Creates and publishes a network site for a membership: site_published. One unit: a failure anywhere leaves no site. */
  publishSite(input: { membership_id: number; slug: string; title: string }): Promise<Site> {
    return this.store.transaction((s) => this._publishSite(s, input));
  }

  private async _publishSite(s: MembershipsStore, input: { membership_id: number; slug: string; title: string }): Promise<Site> {
    const m = await s.get<Membership>('mb_memberships', input.membership_id);
    if (!m) throw new MembershipError({ membership_id: 'Choose a membership.' });
    const customer = (await s.get<Customer>('mb_customers', m.customer_id))!;
    const user = await this.api.users.getAsync(customer.user_id);
    // Written in this transaction on both backends (api.sites.createAsync joins it): the site,
    // its link and both events (site_created, site_published) commit together or not at all.
    const site = await this.api.sites.createAsync({ slug: input.slug, title: input.title, admin_email: user?.email ?? this.api.config.adminEmail });
    await s.linkSite(site.id, m.id);
    await this.fire(s, 'site_published', site, m);
    return site;
  }

  /** Maps a domain to a site: domain_created. */
  addDomain(input: { site_id: number; domain: string; primary: boolean; secure: boolean }): Promise<Domain> {
    return this.store.transaction((s) => this._addDomain(s, input));
  }

  private async _addDomain(s: MembershipsStore, input: { site_id: number; domain: string; primary: boolean; secure: boolean }): Promise<Domain> {
    const errors: Record<string, string> = {};
    const site = await this.api.sites.getAsync(input.site_id);
    const domain = input.domain.trim().toLowerCase();
    if (!site) errors.site_id = 'Choose a site.';
    if (!/^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain)) errors.domain = 'Enter a domain name such as shop.example.com.';
    else if (await s.domainByName(domain)) errors.domain = 'That domain is already mapped.';
    if (Object.keys(errors).length) throw new MembershipError(errors);
    const row = { site_id: site!.id, domain, stage: 'done', active: 1, primary_domain: input.primary ? 1 : 0, secure: input.secure ? 1 : 0, created_at: this.now() };
    const d: Domain = { id: await s.insert('mb_domains', row), ...row };
    await this.fire(s, 'domain_created', d, site!);
    return d;
  }

  // ── Scheduled jobs ──
  /** Daily: a pending renewal payment for every active membership about to expire. */
  runRenewals(): Promise<number> {
    return this.store.transaction((s) => this._runRenewals(s));
  }

  private async _runRenewals(s: MembershipsStore): Promise<number> {
    const due = await s.renewalsDue(this.now() + RENEWAL_LEAD_MS);
    for (const m of due) await this._createPayment(s, { membership_id: m.id, subtotal_cents: m.amount_cents, tax_cents: 0, status: 'pending', is_renewal: true });
    return due.length;
  }

  /** Daily: active memberships past their expiration become expired (membership_expired). */
  runExpirations(): Promise<number> {
    return this.store.transaction((s) => this._runExpirations(s));
  }

  private async _runExpirations(s: MembershipsStore): Promise<number> {
    const expired = await s.expiredActive(this.now());
    for (const m of expired) {
      await this.fire(s, 'membership_expired', await this._updateMembership(s, m.id, { status: 'expired' }));
    }
    return expired.length;
  }

  private async requireCustomer(s: MembershipsStore, id: number): Promise<Customer> {
    const c = await s.get<Customer>('mb_customers', id);
    if (!c) throw new MembershipError({ id: 'That customer does not exist.' }, 'MEMBERSHIP_NOT_FOUND');
    return c;
  }

  private async requireMembership(s: MembershipsStore, id: number): Promise<Membership> {
    const m = await s.get<Membership>('mb_memberships', id);
    if (!m) throw new MembershipError({ id: 'That membership does not exist.' }, 'MEMBERSHIP_NOT_FOUND');
    return m;
  }

  private async requirePayment(s: MembershipsStore, id: number): Promise<Payment> {
    const p = await s.get<Payment>('mb_payments', id);
    if (!p) throw new MembershipError({ id: 'That payment does not exist.' }, 'MEMBERSHIP_NOT_FOUND');
    return p;
  }
}
