import { expect } from 'chai';
import type { CustomerKeys, MembershipEventPayloads, MembershipKeys, PaymentKeys, SiteKeys, DomainKeys } from '../../../plugins/memberships/index.js';
import { MEMBERSHIP_EVENTS } from '../../../plugins/memberships/events/catalogue.js';
import { sampleCustomer, sampleDomain, sampleMembership, samplePayment, sampleSite } from '../../../plugins/memberships/events/samples.js';

/**
 * The frozen interface (shared/PRODUCT.md: "Key groups"), written out here independently of
 * the plugin. The runtime half compares it with the samples; the compile-time half (the
 * `@ts-expect-error` lines, checked by `tsc --noEmit` in `npm test`) fails if the payload types
 * ever stop refusing a misspelt, missing or extra key.
 */
const FROZEN = {
  customer: 'customer_id customer_name customer_user_id customer_user_email customer_email_verification customer_avatar customer_billing_address customer_manage_url',
  membership:
    'membership_id membership_status membership_reference_code membership_initial_amount membership_initial_amount_raw membership_amount membership_amount_raw membership_currency membership_description membership_gateway membership_date_expiration membership_manage_url',
  payment:
    'payment_id payment_status payment_reference_code payment_subtotal payment_subtotal_raw payment_tax_total payment_tax_total_raw payment_total payment_total_raw payment_currency payment_product_names payment_date_created payment_gateway payment_invoice_url payment_manage_url',
  site: 'site_id site_title site_description site_url site_admin_url site_manage_url',
  domain: 'domain_id domain_domain domain_site_id domain_stage domain_active domain_primary domain_secure domain_date_created domain_manage_url',
};
const keys = (group: keyof typeof FROZEN) => FROZEN[group].split(' ');

/** Each event's key groups, from PRODUCT.md's table. */
const EVENTS: Record<keyof MembershipEventPayloads, string[]> = {
  payment_received: [...keys('payment'), ...keys('membership'), ...keys('customer')],
  site_published: [...keys('site'), ...keys('customer'), ...keys('membership')],
  confirm_email_address: ['verification_link', ...keys('customer')],
  domain_created: [...keys('domain'), ...keys('site'), ...keys('membership'), ...keys('customer')],
  renewal_payment_created: ['default_payment_url', ...keys('payment'), ...keys('membership'), ...keys('customer')],
  invoice_sent: ['payment_url', 'invoice_message', ...keys('payment'), ...keys('customer')],
  payment_failed: [...keys('membership'), ...keys('customer'), 'payment_gateway'],
  membership_expired: [...keys('membership'), ...keys('customer')],
  customer_created: [...keys('customer'), ...keys('membership')],
  customer_updated: [...keys('customer'), ...keys('membership')],
  membership_created: [...keys('membership'), ...keys('customer')],
  membership_updated: [...keys('membership'), ...keys('customer')],
  payment_created: [...keys('payment'), ...keys('membership'), ...keys('customer')],
  payment_updated: [...keys('payment'), ...keys('membership'), ...keys('customer')],
};

describe('plugins/memberships: payload key groups are the frozen interface', () => {
  it('each group sample has exactly the frozen keys', () => {
    expect(Object.keys(sampleCustomer)).to.deep.equal(keys('customer'));
    expect(Object.keys(sampleMembership)).to.deep.equal(keys('membership'));
    expect(Object.keys(samplePayment)).to.deep.equal(keys('payment'));
    expect(Object.keys(sampleSite)).to.deep.equal(keys('site'));
    expect(Object.keys(sampleDomain)).to.deep.equal(keys('domain'));
  });

  it('each event’s sample has exactly its groups’ keys', () => {
    for (const [slug, expected] of Object.entries(EVENTS)) {
      const sample = MEMBERSHIP_EVENTS[slug as keyof MembershipEventPayloads].sample();
      expect(Object.keys(sample).sort(), slug).to.deep.equal([...expected].sort());
    }
  });

  it('the compiler refuses a misspelt, missing or extra key (see the @ts-expect-error lines)', () => {
    const customer: CustomerKeys = { ...sampleCustomer };
    // @ts-expect-error a misspelt key
    const misspelt: SiteKeys = { ...sampleSite, site_admin_uri: '' };
    // @ts-expect-error a missing key
    const missing: DomainKeys = { ...sampleDomain, domain_manage_url: undefined };
    // @ts-expect-error a group the event does not carry
    const wrongGroup: MembershipEventPayloads['invoice_sent'] = { payment_url: '', invoice_message: '', ...sampleMembership, ...sampleCustomer };
    // @ts-expect-error an amount given as text where the raw number belongs
    const rawAsText: PaymentKeys = { ...samplePayment, payment_total_raw: '34.80' };
    const nullMembership: MembershipEventPayloads['customer_created'] = { ...customer, ...Object.fromEntries(keys('membership').map((k) => [k, null])) as { [K in keyof MembershipKeys]: null } };
    expect([misspelt, missing, wrongGroup, rawAsText, nullMembership]).to.have.length(5);
  });
});
