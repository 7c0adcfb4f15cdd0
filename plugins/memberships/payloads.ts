import type { PluginApi } from '../../core/plugins/types.js';
import type { Site } from '../../core/sites/sites.js';
import { formatMoney, rawMoney } from './money.js';
import type { Customer, Domain, Membership, MembershipsStore, Payment, Product } from './data/store.js';

const date = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().slice(0, 19).replace('T', ' '));

/**
 * The payload key groups of the original product, built from real records. Key names are an
 * interface and must not change (see the event catalogue).
 */
export class Payloads {
  constructor(
    private readonly api: PluginApi,
    private readonly store: MembershipsStore,
  ) {}

  private manage(page: string, id: number): string {
    return this.api.urls.home_url(this.api.urls.admin_page_url(page, { id }));
  }

  customer(c: Customer): Record<string, unknown> {
    const user = this.api.users.get(c.user_id);
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

  membership(m: Membership): Record<string, unknown> {
    const product = this.store.get<Product>('mb_products', m.product_id);
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

  payment(p: Payment): Record<string, unknown> {
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
      payment_product_names: this.store.productNames(p.membership_id),
      payment_date_created: date(p.created_at),
      payment_gateway: p.gateway,
      payment_invoice_url: this.api.urls.home_url(`/memberships/invoice/${p.reference_code}`),
      payment_manage_url: this.manage('memberships-payments', p.id),
    };
  }

  site(s: Site): Record<string, unknown> {
    return {
      site_id: s.id,
      site_title: s.title,
      site_description: '',
      site_url: this.api.urls.home_url(`/sites/${s.slug}/`),
      site_admin_url: this.api.urls.home_url(`/sites/${s.slug}/wp-admin/`),
      site_manage_url: this.api.urls.home_url(`/wp-admin/network/sites.php?id=${s.id}`),
    };
  }

  domain(d: Domain): Record<string, unknown> {
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
}
