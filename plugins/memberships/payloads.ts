import type { PluginApi, Site, User } from '../../core/plugin-sdk.js';
import { formatMoney, rawMoney } from './money.js';
import type { Customer, Domain, Membership, MembershipsStore, Payment, Product } from './data/store.js';
import type { Absent, CustomerKeys, DomainKeys, MembershipEvent, MembershipEventPayloads, MembershipKeys, PaymentKeys, SiteKeys } from './events/payload-keys.js';

/**
 * The records a payload needs beyond the action's own arguments (a membership's product and
 * customer, a customer's latest membership, a site's membership), read before the action fires:
 * the event's payload is built synchronously inside `do_action`, and the store is asynchronous.
 */
export class Related {
  readonly products = new Map<number, Product>();
  readonly customers = new Map<number, Customer>();
  readonly memberships = new Map<number, Membership>();
  readonly latestOfCustomer = new Map<number, Membership | undefined>();
  readonly membershipOfSite = new Map<number, number | undefined>();
  /** The user accounts of the customers above (and of a customer argument), by user id. */
  readonly users = new Map<number, User | undefined>();

  /**
   * Reads what the payloads of `slug` need about `args` (the action's arguments), through
   * `store`, and the customers' user accounts through `user` (`api.users.getAsync`: on
   * PostgreSQL the synchronous `api.users.get` knows only users this process has read).
   */
  static async load(store: MembershipsStore, slug: MembershipEvent, args: readonly unknown[], user: (id: number) => Promise<User | undefined>): Promise<Related> {
    const r = new Related();
    const customerArgs: Customer[] = [];
    const membership = async (id: number) => {
      const m = r.memberships.get(id) ?? (await store.get<Membership>('mb_memberships', id));
      if (!m) return undefined;
      r.memberships.set(m.id, m);
      if (!r.products.has(m.product_id)) {
        const p = await store.get<Product>('mb_products', m.product_id);
        if (p) r.products.set(p.id, p);
      }
      if (!r.customers.has(m.customer_id)) {
        const c = await store.get<Customer>('mb_customers', m.customer_id);
        if (c) r.customers.set(c.id, c);
      }
      return m;
    };
    for (const [i, kind] of ARG_KINDS[slug].entries()) {
      const arg = args[i];
      if (kind === 'customer') {
        const c = arg as Customer;
        customerArgs.push(c);
        const latest = await store.latestMembershipOf(c.id);
        r.latestOfCustomer.set(c.id, latest && (await membership(latest.id)));
      } else if (kind === 'membership') await membership((arg as Membership).id);
      else if (kind === 'payment') await membership((arg as Payment).membership_id);
      else if (kind === 'site') {
        const id = await store.membershipOfSite((arg as Site).id);
        r.membershipOfSite.set((arg as Site).id, id);
        if (id) await membership(id);
      }
    }
    for (const c of [...customerArgs, ...r.customers.values()]) if (!r.users.has(c.user_id)) r.users.set(c.user_id, await user(c.user_id));
    return r;
  }
}

/** What each event's action arguments are, in order (what Related.load reads around them). */
const ARG_KINDS: { [S in MembershipEvent]: ReadonlyArray<'customer' | 'membership' | 'payment' | 'site' | 'domain' | 'message'> } = {
  customer_created: ['customer'],
  customer_updated: ['customer'],
  confirm_email_address: ['customer'],
  membership_created: ['membership'],
  membership_updated: ['membership'],
  membership_expired: ['membership'],
  payment_created: ['payment'],
  payment_updated: ['payment'],
  payment_received: ['payment'],
  renewal_payment_created: ['payment'],
  invoice_sent: ['payment', 'message'],
  payment_failed: ['payment'],
  site_published: ['site', 'membership'],
  domain_created: ['domain', 'site'],
};

const date = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().slice(0, 19).replace('T', ' '));

/** The same keys as `group`, every value null: the group of a record that does not exist. */
function absent<T extends Record<string, unknown>>(group: T): Absent<T> {
  return Object.fromEntries(Object.keys(group).map((k) => [k, null])) as Absent<T>;
}

/**
 * The payload key groups of the original product, built from real records. Key names are a
 * frozen interface: each builder's return type (./events/payload-keys.ts) makes the compiler
 * refuse a missing, misspelt or extra key.
 */
export class Payloads {
  private absentMembership?: Absent<MembershipKeys>;
  private absentCustomer?: Absent<CustomerKeys>;

  /** The related records of the action firing now (set by `withRelated` around `do_action`). */
  private related = new Related();

  constructor(private readonly api: PluginApi) {}

  /** Runs `fire` (a synchronous do_action) with `related` as what the payload builders read. */
  withRelated<T>(related: Related, fire: () => T): T {
    const before = this.related;
    this.related = related;
    try {
      return fire();
    } finally {
      this.related = before;
    }
  }

  /** A record read for the firing action (see Related). */
  product(id: number): Product | undefined {
    return this.related.products.get(id);
  }

  membershipById(id: number): Membership | undefined {
    return this.related.memberships.get(id);
  }

  customerById(id: number): Customer | undefined {
    return this.related.customers.get(id);
  }

  /** A customer's user account: read for the firing action, else as the synchronous API knows it. */
  private userOf(id: number): User | undefined {
    return this.related.users.has(id) ? this.related.users.get(id) : this.api.users.get(id);
  }

  /** The id of the membership a site was published for, if any. */
  membershipOfSite(siteId: number): number | undefined {
    return this.related.membershipOfSite.get(siteId);
  }

  private manage(page: string, id: number): string {
    return this.api.urls.home_url(this.api.urls.admin_page_url(page, { id }));
  }

  /** Where the customer pays a pending payment (the public pay page). */
  payUrl(p: Payment): string {
    return this.api.urls.home_url(`/memberships/pay/${p.access_token ?? ''}`);
  }

  /** The link that verifies the customer's email address (works once). */
  verificationLink(c: Customer): string {
    return this.api.urls.home_url(`/memberships/verify-email/${c.verification_token}`);
  }

  customer(c: Customer): CustomerKeys {
    const user = this.userOf(c.user_id);
    return {
      customer_id: c.id,
      customer_name: user?.display_name ?? '',
      customer_user_id: c.user_id,
      customer_user_email: user?.email ?? '',
      customer_email_verification: c.email_verification,
      customer_avatar: `https://www.gravatar.com/avatar/?d=mp`,
      customer_billing_address: c.billing_address,
      customer_manage_url: this.manage('memberships-customers', c.id),
    };
  }

  membership(m: Membership): MembershipKeys {
    const product = this.product(m.product_id);
    const period = product?.period === 'one-time' ? 'one time' : `every ${product?.period ?? 'month'}`;
    return {
      membership_id: m.id,
      membership_status: m.status,
      membership_reference_code: m.reference_code,
      membership_initial_amount: formatMoney(m.initial_amount_cents, m.currency),
      membership_initial_amount_raw: rawMoney(m.initial_amount_cents),
      membership_amount: formatMoney(m.amount_cents, m.currency),
      membership_amount_raw: rawMoney(m.amount_cents),
      membership_currency: m.currency,
      membership_description: `${product?.name ?? 'Product'} — ${formatMoney(m.amount_cents, m.currency)} ${period}`,
      membership_gateway: m.gateway,
      membership_date_expiration: date(m.date_expiration),
      membership_manage_url: this.manage('memberships-memberships', m.id),
    };
  }

  payment(p: Payment): PaymentKeys {
    return {
      payment_id: p.id,
      payment_status: p.status,
      payment_reference_code: p.reference_code,
      payment_subtotal: formatMoney(p.subtotal_cents, p.currency),
      payment_subtotal_raw: rawMoney(p.subtotal_cents),
      payment_tax_total: formatMoney(p.tax_cents, p.currency),
      payment_tax_total_raw: rawMoney(p.tax_cents),
      payment_total: formatMoney(p.total_cents, p.currency),
      payment_total_raw: rawMoney(p.total_cents),
      payment_currency: p.currency,
      payment_product_names: this.product(this.membershipById(p.membership_id)?.product_id ?? 0)?.name ?? '',
      payment_date_created: date(p.created_at),
      payment_gateway: p.gateway,
      payment_invoice_url: this.api.urls.home_url(`/memberships/invoice/${p.access_token ?? ''}`),
      payment_manage_url: this.manage('memberships-payments', p.id),
    };
  }

  site(s: Site): SiteKeys {
    return {
      site_id: s.id,
      site_title: s.title,
      site_description: '',
      site_url: this.api.urls.home_url(`/sites/${s.slug}/`),
      site_admin_url: this.api.urls.home_url(`/sites/${s.slug}/wp-admin/`),
      site_manage_url: this.api.urls.home_url(`/wp-admin/network/sites.php?id=${s.id}`),
    };
  }

  domain(d: Domain): DomainKeys {
    return {
      domain_id: d.id,
      domain_domain: d.domain,
      domain_site_id: d.site_id,
      domain_stage: d.stage,
      domain_active: d.active === 1,
      domain_primary: d.primary_domain === 1,
      domain_secure: d.secure === 1,
      domain_date_created: date(d.created_at),
      domain_manage_url: this.manage('memberships-domains', d.id),
    };
  }

  /** The membership group of `m`, or its keys with null values. */
  membershipOrAbsent(m: Membership | undefined): MembershipKeys | Absent<MembershipKeys> {
    if (m) return this.membership(m);
    return (this.absentMembership ??= absent(this.membership({ id: 0, customer_id: 0, product_id: 0, status: '', reference_code: '', initial_amount_cents: 0, amount_cents: 0, currency: 'USD', gateway: '', date_expiration: null, created_at: 0, updated_at: 0 })));
  }

  /** The customer group of `c`, or its keys with null values. */
  customerOrAbsent(c: Customer | undefined): CustomerKeys | Absent<CustomerKeys> {
    if (c) return this.customer(c);
    return (this.absentCustomer ??= absent(this.customer({ id: 0, user_id: 0, email_verification: '', verification_token: null, billing_address: '', created_at: 0, updated_at: 0 })));
  }

  /** A membership's own customer group (every membership has a customer). */
  customerOf(m: Membership): CustomerKeys {
    return this.customer(this.customerById(m.customer_id)!);
  }

  /** A payment's membership and customer groups. */
  membershipAndCustomerOf(p: Payment): MembershipKeys & CustomerKeys {
    const m = this.membershipById(p.membership_id)!;
    return { ...this.membership(m), ...this.customerOf(m) };
  }

  /** A customer's latest membership group (the original sends it with customer events). */
  latestMembershipOf(c: Customer): MembershipKeys | Absent<MembershipKeys> {
    return this.membershipOrAbsent(this.related.latestOfCustomer.get(c.id));
  }
}

/**
 * What each memberships event's action passes (its arguments) and the payload built from them.
 * The plugin fires `do_action(membershipAction(slug), ...args)`; the event type registered on
 * `wu_register_all_events` is bound to that action and turns the arguments into the payload
 * inside the same call, so the event commits in the transaction of the change that fired it.
 */
export function eventBuilders(p: Payloads) {
  const payment = (pay: Payment) => ({ ...p.payment(pay), ...p.membershipAndCustomerOf(pay) });
  return {
    customer_created: (c: Customer) => ({ ...p.customer(c), ...p.latestMembershipOf(c) }),
    customer_updated: (c: Customer) => ({ ...p.customer(c), ...p.latestMembershipOf(c) }),
    confirm_email_address: (c: Customer) => ({ verification_link: p.verificationLink(c), ...p.customer(c) }),
    membership_created: (m: Membership) => ({ ...p.membership(m), ...p.customerOf(m) }),
    membership_updated: (m: Membership) => ({ ...p.membership(m), ...p.customerOf(m) }),
    membership_expired: (m: Membership) => ({ ...p.membership(m), ...p.customerOf(m) }),
    payment_created: payment,
    payment_updated: payment,
    payment_received: payment,
    renewal_payment_created: (pay: Payment) => ({ default_payment_url: p.payUrl(pay), ...payment(pay) }),
    invoice_sent: (pay: Payment, message: string) => {
      const m = p.membershipById(pay.membership_id)!;
      return { payment_url: p.payUrl(pay), invoice_message: message, ...p.payment(pay), ...p.customerOf(m) };
    },
    payment_failed: (pay: Payment) => ({ ...p.membershipAndCustomerOf(pay), payment_gateway: pay.gateway }),
    site_published: (site: Site, m: Membership) => ({ ...p.site(site), ...p.customerOf(m), ...p.membership(m) }),
    domain_created: (d: Domain, site: Site) => {
      const membershipId = p.membershipOfSite(site.id);
      const m = membershipId ? p.membershipById(membershipId) : undefined;
      const c = m ? p.customerById(m.customer_id) : undefined;
      return { ...p.domain(d), ...p.site(site), ...p.membershipOrAbsent(m), ...p.customerOrAbsent(c) };
    },
  } satisfies { [S in MembershipEvent]: (...args: never[]) => MembershipEventPayloads[S] };
}
