import type { CustomerKeys, DomainKeys, MembershipKeys, PaymentKeys, SiteKeys } from './payload-keys.js';

/**
 * Sample values of the payload key groups: what the event catalogue shows and what Send Test
 * Event sends. Each is checked against its group's type (no key missing, none extra).
 */
export const sampleCustomer = {
  customer_id: 42,
  customer_name: 'Ada Lovelace',
  customer_user_id: 7,
  customer_user_email: 'ada@example.com',
  customer_email_verification: 'verified',
  customer_avatar: 'https://www.gravatar.com/avatar/00000000000000000000000000000000?d=mp',
  customer_billing_address: '12 Analytical Row, London, N1 9GU, United Kingdom',
  customer_manage_url: 'http://127.0.0.1:8080/wp-admin/network/admin.php?page=memberships-customers&id=42',
} satisfies CustomerKeys;

export const sampleMembership = {
  membership_id: 314,
  membership_status: 'active',
  membership_reference_code: 'MEM-7Q2X9K',
  membership_initial_amount: '$49.00',
  membership_initial_amount_raw: 49,
  membership_amount: '$29.00',
  membership_amount_raw: 29,
  membership_currency: 'USD',
  membership_description: 'Pro Plan — $29.00 every month',
  membership_gateway: 'manual',
  membership_date_expiration: '2026-12-28 00:00:00',
  membership_manage_url: 'http://127.0.0.1:8080/wp-admin/network/admin.php?page=memberships-memberships&id=314',
} satisfies MembershipKeys;

export const samplePayment = {
  payment_id: 2718,
  payment_status: 'completed',
  payment_reference_code: 'PAY-4F8D2C',
  payment_subtotal: '$29.00',
  payment_subtotal_raw: 29,
  payment_tax_total: '$5.80',
  payment_tax_total_raw: 5.8,
  payment_total: '$34.80',
  payment_total_raw: 34.8,
  payment_currency: 'USD',
  payment_product_names: 'Pro Plan',
  payment_date_created: '2026-11-28 09:30:00',
  payment_gateway: 'manual',
  payment_invoice_url: 'http://127.0.0.1:8080/memberships/invoice/PAY-4F8D2C',
  payment_manage_url: 'http://127.0.0.1:8080/wp-admin/network/admin.php?page=memberships-payments&id=2718',
} satisfies PaymentKeys;

export const sampleSite = {
  site_id: 5,
  site_title: 'Ada’s Engines',
  site_description: 'Notes on the Analytical Engine',
  site_url: 'http://127.0.0.1:8080/sites/ada-engines/',
  site_admin_url: 'http://127.0.0.1:8080/sites/ada-engines/wp-admin/',
  site_manage_url: 'http://127.0.0.1:8080/wp-admin/network/sites.php?id=5',
} satisfies SiteKeys;

export const sampleDomain = {
  domain_id: 11,
  domain_domain: 'engines.example.com',
  domain_site_id: 5,
  domain_stage: 'done',
  domain_active: true,
  domain_primary: true,
  domain_secure: true,
  domain_date_created: '2026-11-28 09:45:00',
  domain_manage_url: 'http://127.0.0.1:8080/wp-admin/network/admin.php?page=memberships-domains&id=11',
} satisfies DomainKeys;
