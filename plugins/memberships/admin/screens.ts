import { TEXT_LIMITS } from '../../../core/plugin-sdk.js';
import { MembershipError } from '../errors.js';
import type { PluginApi, Site, User } from '../../../core/plugin-sdk.js';
import type { Customer, Domain, Membership, Payment, Product } from '../data/store.js';
import { parseDay } from '../dates.js';
import { formatMoney, parseMoney } from '../money.js';
import type { MembershipsService } from '../service.js';
import { CAPABILITY, checkboxField, handleEntityScreen, selectField, type EntityScreen } from './entity-screen.js';

const day = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(0, 10));
const MONTH = 30 * 86_400_000;

/** The Memberships menu: products, customers, memberships, payments and domain mappings. */
export function registerMembershipScreens(api: PluginApi, svc: MembershipsService): void {
  const { html, formField } = api.ui;
  const { store } = svc;
  // What cells, labels and select options look up, read once per request (EntityScreen.load):
  // the store and the users and sites are asynchronous (on PostgreSQL the synchronous calls
  // know nothing, or only what this process has read), rendering is not.
  const byId = <T extends { id: number }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
  let seen = {
    customers: new Map<number, Customer>(),
    products: new Map<number, Product>(),
    memberships: new Map<number, Membership>(),
    /** The first 500 users by login (the "User" choices), and every customer's user. */
    users: new Map<number, User>(),
    /** Domains screen only: the first 500 sites (the "Site" choices), and every listed domain's site. */
    sites: new Map<number, Site>(),
  };
  const load = async () => {
    const [customers, products, memberships, users] = await Promise.all([
      store.all<Customer>('mb_customers'),
      store.all<Product>('mb_products'),
      store.all<Membership>('mb_memberships'),
      api.users.listAsync({ limit: 500 }),
    ]);
    seen = { customers: byId(customers), products: byId(products), memberships: byId(memberships), users: byId(users.items), sites: new Map() };
    const missing = [...new Set(customers.map((c) => c.user_id).filter((id) => !seen.users.has(id)))];
    for (const u of await Promise.all(missing.map((id) => api.users.getAsync(id)))) if (u) seen.users.set(u.id, u);
  };
  const loadSites = async (siteIds: number[]) => {
    const missing = [...new Set(siteIds.filter((id) => !seen.sites.has(id)))];
    for (const site of await Promise.all(missing.map((id) => api.sites.getAsync(id)))) if (site) seen.sites.set(site.id, site);
  };
  const userName = (id: number) => seen.users.get(id)?.display_name ?? `User #${id}`;
  const customerLabel = (c: Customer | undefined) => (c ? `${userName(c.user_id)} (#${c.id})` : '—');
  const membershipLabel = (m: Membership) => `${m.reference_code} — ${customerLabel(seen.customers.get(m.customer_id))}`;
  const customerOptions = (): Array<[string, string]> => [...seen.customers.values()].map((c) => [String(c.id), customerLabel(c)]);
  const membershipOptions = (): Array<[string, string]> => [...seen.memberships.values()].map((m) => [String(m.id), membershipLabel(m)]);
  // Users who are not customers yet.
  const userOptions = (): Array<[string, string]> => {
    const taken = new Set([...seen.customers.values()].map((c) => c.user_id));
    return [...seen.users.values()]
      .sort((a, b) => (a.login < b.login ? -1 : a.login > b.login ? 1 : 0))
      .filter((u) => !taken.has(u.id))
      .map((u) => [String(u.id), `${u.display_name} (${u.login})`]);
  };

  // The first 500 sites by id (what the domains screen's load read).
  const siteOptions = (): Array<[string, string]> =>
    [...seen.sites.values()].sort((a, b) => a.id - b.id).slice(0, 500).map((site) => [String(site.id), `${site.title} (${site.slug})`]);

  const products: EntityScreen<Product> = {
    slug: 'memberships-products',
    title: 'Products',
    singular: 'Product',
    empty: 'No products yet. Add the plans your customers can buy.',
    rows: (l, o) => store.list<Product>('mb_products', l, o),
    one: (id) => store.get<Product>('mb_products', id),
    rowId: (p) => p.id,
    rowLabel: (p) => p.name,
    columns: [
      { key: 'name', label: 'Name', cell: (p) => html`<strong>${p.name}</strong>` },
      { key: 'price', label: 'Price', cell: (p) => formatMoney(p.price_cents, p.currency) },
      { key: 'setup', label: 'Setup fee', cell: (p) => formatMoney(p.setup_fee_cents, p.currency) },
      { key: 'period', label: 'Billing', cell: (p) => (p.period === 'one-time' ? 'One time' : `Every ${p.period}`) },
    ],
    forms: [
      {
        action: 'create',
        title: 'Add New Product',
        submit: 'Add New Product',
        fields: (v, e) => html`
          ${formField({ id: 'name', label: 'Name', value: v.name, error: e.name, required: true, maxLength: TEXT_LIMITS.name })}
          ${formField({ id: 'price', label: 'Price', value: v.price, error: e.price, required: true, description: 'For example 29 or 29.99.' })}
          ${formField({ id: 'setup_fee', label: 'Setup fee', value: v.setup_fee ?? '0', error: e.setup_fee })}
          ${selectField(api, { id: 'currency', label: 'Currency', value: v.currency ?? 'USD', error: e.currency, options: ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'BRL', 'JPY'].map((c) => [c, c]), required: true })}
          ${selectField(api, { id: 'period', label: 'Billing period', value: v.period ?? 'month', error: e.period, options: [['month', 'Monthly'], ['year', 'Yearly'], ['one-time', 'One time']], required: true })}`,
        run: async (b) => {
          const p = await svc.createProduct({ name: b.name ?? '', price_cents: parseMoney(b.price ?? ''), setup_fee_cents: parseMoney(b.setup_fee || '0'), currency: b.currency ?? '', period: b.period ?? '' });
          return `Product “${p.name}” added.`;
        },
      },
    ],
  };

  const customers: EntityScreen<Customer> = {
    slug: 'memberships-customers',
    title: 'Customers',
    singular: 'Customer',
    empty: 'No customers yet.',
    rows: (l, o) => store.list<Customer>('mb_customers', l, o),
    one: (id) => store.get<Customer>('mb_customers', id),
    rowId: (c) => c.id,
    rowLabel: (c) => customerLabel(c),
    columns: [
      { key: 'name', label: 'Customer', cell: (c) => html`<strong>${userName(c.user_id)}</strong>` },
      { key: 'email', label: 'Email', cell: (c) => seen.users.get(c.user_id)?.email ?? '' },
      { key: 'verification', label: 'Email verification', cell: (c) => html`<span class="badge ${c.email_verification === 'verified' ? 'badge-success' : c.email_verification === 'pending' ? 'badge-warning' : ''}">${c.email_verification}</span>` },
      { key: 'billing', label: 'Billing address', cell: (c) => c.billing_address },
    ],
    rowActions: (c) => (c.email_verification === 'pending' ? [{ action: 'verify', label: 'Mark email verified' }] : []),
    act: async (action, id) => {
      const c = await store.get<Customer>('mb_customers', id);
      if (action === 'verify' && c?.email_verification === 'verified') {
        // A stale tab still shows the action: say what is true instead of failing.
        return `The email address of ${customerLabel(c)} is already verified.`;
      }
      if (action === 'verify' && c?.verification_token) {
        await svc.verifyEmail(c.verification_token);
        return 'Email address marked as verified.';
      }
      throw new MembershipError({ action: 'Unknown action.' }, 'MEMBERSHIP_UNKNOWN_ACTION');
    },
    forms: [
      {
        action: 'create',
        title: 'Add New Customer',
        submit: 'Add New Customer',
        fields: (v, e) => html`
          ${selectField(api, { id: 'user_id', label: 'User', value: v.user_id, error: e.user_id, required: true, options: userOptions() })}
          ${formField({ id: 'billing_address', label: 'Billing address', value: v.billing_address, error: e.billing_address, className: 'large-text' })}
          ${checkboxField(api, { id: 'verify', label: 'Require email verification (sends the verification link)', checked: v.verify === '1' })}`,
        run: async (b) => {
          const c = await svc.createCustomer({ user_id: Number(b.user_id), billing_address: b.billing_address ?? '', verify: b.verify === '1' });
          return `Customer ${customerLabel(c)} added.${c.email_verification === 'pending' ? ' A verification link was sent.' : ''}`;
        },
      },
    ],
  };
  const memberships: EntityScreen<Membership> = {
    slug: 'memberships-memberships',
    title: 'Memberships',
    singular: 'Membership',
    empty: 'No memberships yet.',
    rows: (l, o) => store.list<Membership>('mb_memberships', l, o),
    one: (id) => store.get<Membership>('mb_memberships', id),
    rowId: (m) => m.id,
    rowLabel: (m) => m.reference_code,
    get: (id) => store.get<Membership>('mb_memberships', id),
    columns: [
      { key: 'ref', label: 'Reference', cell: (m) => html`<strong>${m.reference_code}</strong>` },
      { key: 'customer', label: 'Customer', cell: (m) => customerLabel(seen.customers.get(m.customer_id)) },
      { key: 'product', label: 'Product', cell: (m) => seen.products.get(m.product_id)?.name ?? '' },
      { key: 'status', label: 'Status', cell: (m) => html`<span class="badge ${m.status === 'active' ? 'badge-success' : m.status === 'expired' ? 'badge-error' : ''}">${m.status}</span>` },
      { key: 'amount', label: 'Amount', cell: (m) => formatMoney(m.amount_cents, m.currency) },
      { key: 'expires', label: 'Expires', cell: (m) => day(m.date_expiration) },
    ],
    rowActions: (m) => [
      ...(m.status !== 'active' ? [{ action: 'activate', label: 'Activate' }] : []),
      ...(m.status === 'active'
        ? [
            {
              action: 'cancel',
              label: 'Cancel',
              confirm: {
                title: 'Cancel Membership',
                message: (x: Membership) => `You are about to cancel the membership ${membershipLabel(x)}. It stops renewing and its customer loses access.`,
                button: 'Yes, Cancel Membership',
              },
            },
          ]
        : []),
      { action: 'extend', label: 'Extend 1 month' },
    ],
    act: async (action, id) => {
      const m = await store.get<Membership>('mb_memberships', id);
      if (!m) throw new MembershipError({ id: 'That membership does not exist.' }, 'MEMBERSHIP_NOT_FOUND');
      if (action === 'activate') await svc.updateMembership(id, { status: 'active' });
      else if (action === 'cancel') await svc.updateMembership(id, { status: 'cancelled' });
      else if (action === 'extend') await svc.updateMembership(id, { date_expiration: Math.max(m.date_expiration ?? api.clock(), api.clock()) + MONTH });
      else throw new MembershipError({ action: 'Unknown action.' }, 'MEMBERSHIP_UNKNOWN_ACTION');
      return `Membership ${m.reference_code} updated.`;
    },
    forms: [
      {
        action: 'create',
        title: 'Add New Membership',
        submit: 'Add New Membership',
        fields: (v, e) => html`
          ${selectField(api, { id: 'customer_id', label: 'Customer', value: v.customer_id, error: e.customer_id, required: true, options: customerOptions() })}
          ${selectField(api, { id: 'product_id', label: 'Product', value: v.product_id, error: e.product_id, required: true, options: [...seen.products.values()].map((p) => [String(p.id), p.name]) })}
          ${selectField(api, { id: 'status', label: 'Status', value: v.status ?? 'active', error: e.status, required: true, options: ['pending', 'active', 'expired', 'cancelled'].map((x) => [x, x]) })}
          ${formField({ id: 'date_expiration', label: 'Expires on', type: 'date', value: v.date_expiration ?? new Date(api.clock() + MONTH).toISOString().slice(0, 10), error: e.date_expiration })}`,
        run: async (b) => {
          const m = await svc.createMembership({ customer_id: Number(b.customer_id), product_id: Number(b.product_id), status: b.status ?? '', date_expiration: parseDay(b.date_expiration) });
          return `Membership ${m.reference_code} added.`;
        },
      },
      {
        action: 'publish-site',
        title: 'Publish a Site',
        submit: 'Publish Site',
        fields: (v, e) => html`
          ${selectField(api, { id: 'site_membership_id', label: 'Membership', value: v.site_membership_id, error: e.membership_id, required: true, options: membershipOptions() })}
          ${formField({ id: 'slug', label: 'Site address', value: v.slug, error: e.slug, required: true, description: 'Lowercase letters, numbers and hyphens.' })}
          ${formField({ id: 'title', label: 'Site title', value: v.title, error: e.title, required: true })}`,
        run: async (b) => {
          const site = await svc.publishSite({ membership_id: Number(b.site_membership_id), slug: b.slug ?? '', title: b.title ?? '' });
          return `Site “${site.title}” published.`;
        },
      },
    ],
  };

  const payments: EntityScreen<Payment> = {
    slug: 'memberships-payments',
    title: 'Payments',
    singular: 'Payment',
    empty: 'No payments yet.',
    rows: (l, o) => store.list<Payment>('mb_payments', l, o),
    one: (id) => store.get<Payment>('mb_payments', id),
    rowId: (p) => p.id,
    rowLabel: (p) => p.reference_code,
    columns: [
      { key: 'ref', label: 'Reference', cell: (p) => html`<strong>${p.reference_code}</strong>${p.is_renewal ? html` <span class="badge badge-info">Renewal</span>` : ''}` },
      { key: 'membership', label: 'Membership', cell: (p) => seen.memberships.get(p.membership_id)?.reference_code ?? '' },
      { key: 'total', label: 'Total', cell: (p) => formatMoney(p.total_cents, p.currency) },
      { key: 'status', label: 'Status', cell: (p) => html`<span class="badge ${p.status === 'completed' ? 'badge-success' : p.status === 'failed' ? 'badge-error' : 'badge-warning'}">${p.status}</span>` },
      { key: 'created', label: 'Date', cell: (p) => day(p.created_at) },
    ],
    rowActions: (p) => [
      ...(p.status === 'pending' ? [{ action: 'receive', label: 'Mark as received' }] : []),
      ...(p.status === 'pending' && p.is_renewal ? [{ action: 'fail', label: 'Mark as failed' }] : []),
      { action: 'invoice', label: 'Send invoice' },
    ],
    act: async (action, id) => {
      if (action === 'receive') return `Payment ${(await svc.markReceived(id)).reference_code} marked as received.`;
      if (action === 'fail') return `Payment ${(await svc.markFailed(id)).reference_code} marked as failed.`;
      if (action === 'invoice') return `Invoice of payment ${(await svc.sendInvoice(id)).reference_code} sent.`;
      throw new MembershipError({ action: 'Unknown action.' }, 'MEMBERSHIP_UNKNOWN_ACTION');
    },
    forms: [
      {
        action: 'create',
        title: 'Record a Payment',
        submit: 'Add New Payment',
        fields: (v, e) => html`
          ${selectField(api, { id: 'membership_id', label: 'Membership', value: v.membership_id, error: e.membership_id, required: true, options: membershipOptions() })}
          ${formField({ id: 'subtotal', label: 'Subtotal', value: v.subtotal, error: e.subtotal, required: true })}
          ${formField({ id: 'tax', label: 'Tax', value: v.tax ?? '0', error: e.tax })}
          ${selectField(api, { id: 'status', label: 'Status', value: v.status ?? 'completed', error: e.status, required: true, options: [['completed', 'Completed (received)'], ['pending', 'Pending']] })}`,
        run: async (b) => {
          const p = await svc.createPayment({ membership_id: Number(b.membership_id), subtotal_cents: parseMoney(b.subtotal ?? ''), tax_cents: parseMoney(b.tax || '0'), status: b.status ?? '' });
          return `Payment ${p.reference_code} recorded.`;
        },
      },
    ],
  };

  const domains: EntityScreen<Domain> = {
    slug: 'memberships-domains',
    title: 'Domain Mappings',
    singular: 'Domain Mapping',
    empty: 'No domains mapped yet.',
    rows: async (l, o) => {
      const page = await store.list<Domain>('mb_domains', l, o);
      await loadSites(page.items.map((d) => d.site_id));
      return page;
    },
    one: async (id) => {
      const d = await store.get<Domain>('mb_domains', id);
      if (d) await loadSites([d.site_id]);
      return d;
    },
    rowId: (d) => d.id,
    rowLabel: (d) => d.domain,
    columns: [
      { key: 'domain', label: 'Domain', cell: (d) => html`<strong>${d.domain}</strong>` },
      { key: 'site', label: 'Site', cell: (d) => seen.sites.get(d.site_id)?.title ?? `#${d.site_id}` },
      { key: 'flags', label: 'Flags', cell: (d) => html`${d.primary_domain ? html`<span class="badge badge-info">Primary</span> ` : ''}${d.secure ? html`<span class="badge badge-success">HTTPS</span>` : ''}` },
      { key: 'stage', label: 'Stage', cell: (d) => d.stage },
    ],
    forms: [
      {
        action: 'create',
        title: 'Add New Domain Mapping',
        submit: 'Add New Domain',
        fields: (v, e) => html`
          ${selectField(api, { id: 'site_id', label: 'Site', value: v.site_id, error: e.site_id, required: true, options: siteOptions() })}
          ${formField({ id: 'domain', label: 'Domain', value: v.domain, error: e.domain, required: true, description: 'For example shop.example.com.' })}
          ${checkboxField(api, { id: 'primary', label: 'Primary domain', checked: v.primary === '1' })}
          ${checkboxField(api, { id: 'secure', label: 'Served over HTTPS', checked: Object.keys(v).length ? v.secure === '1' : true })}`,
        run: async (b) => {
          const d = await svc.addDomain({ site_id: Number(b.site_id), domain: b.domain ?? '', primary: b.primary === '1', secure: b.secure === '1' });
          return `Domain ${d.domain} mapped.`;
        },
      },
    ],
  };

  const screens = [memberships, customers, products, payments, domains];
  for (const screen of screens) (screen as EntityScreen<unknown>).load = load;
  domains.load = async () => {
    await load();
    for (const site of (await api.sites.listAsync({ limit: 500 })).items) seen.sites.set(site.id, site);
  };
  api.hooks.add_action('network_admin_menu', function membershipsAdminMenu() {
    api.menus.add_menu_page('Memberships', 'Memberships', CAPABILITY, memberships.slug, (ctx) => handleEntityScreen(ctx, api, memberships), 'dashicons-groups', 28);
    for (const s of screens) {
      api.menus.add_submenu_page(memberships.slug, s.title, s.title, CAPABILITY, s.slug, s === memberships ? undefined : (ctx) => handleEntityScreen(ctx, api, s as EntityScreen<unknown>));
    }
  });
}
