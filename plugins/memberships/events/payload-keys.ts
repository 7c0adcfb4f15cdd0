/**
 * The payload key groups of Ultimate Multisite's event catalogue, as types. The key names are
 * a frozen interface — Zapier zaps and custom receivers are built on them (see
 * shared/PRODUCT.md) — so the compiler checks every group the plugin builds against these,
 * and every event's payload against its row of `MembershipEventPayloads`.
 */

export type CustomerKeys = {
  customer_id: number;
  customer_name: string;
  customer_user_id: number;
  customer_user_email: string;
  /** 'none' | 'pending' | 'verified'. */
  customer_email_verification: string;
  customer_avatar: string;
  customer_billing_address: string;
  customer_manage_url: string;
};

/** Amounts come twice: formatted for people ("$29.00") and raw for machines (29). */
export type MembershipKeys = {
  membership_id: number;
  /** 'pending' | 'active' | 'expired' | 'cancelled'. */
  membership_status: string;
  membership_reference_code: string;
  membership_initial_amount: string;
  membership_initial_amount_raw: number;
  membership_amount: string;
  membership_amount_raw: number;
  /** ISO 4217 code. */
  membership_currency: string;
  membership_description: string;
  membership_gateway: string;
  /** "YYYY-MM-DD HH:MM:SS" (UTC), or '' when it never expires. */
  membership_date_expiration: string;
  membership_manage_url: string;
};

export type PaymentKeys = {
  payment_id: number;
  /** 'pending' | 'completed' | 'failed'. */
  payment_status: string;
  payment_reference_code: string;
  payment_subtotal: string;
  payment_subtotal_raw: number;
  payment_tax_total: string;
  payment_tax_total_raw: number;
  payment_total: string;
  payment_total_raw: number;
  payment_currency: string;
  payment_product_names: string;
  /** "YYYY-MM-DD HH:MM:SS" (UTC). */
  payment_date_created: string;
  payment_gateway: string;
  payment_invoice_url: string;
  payment_manage_url: string;
};

export type SiteKeys = {
  site_id: number;
  site_title: string;
  site_description: string;
  site_url: string;
  site_admin_url: string;
  site_manage_url: string;
};

export type DomainKeys = {
  domain_id: number;
  domain_domain: string;
  domain_site_id: number;
  /** The mapping's stage; 'done' once it serves. */
  domain_stage: string;
  domain_active: boolean;
  domain_primary: boolean;
  domain_secure: boolean;
  /** "YYYY-MM-DD HH:MM:SS" (UTC). */
  domain_date_created: string;
  domain_manage_url: string;
};

/** A group whose record does not exist (a customer without a membership): same keys, null values. */
export type Absent<T> = { [K in keyof T]: null };

/** The membership group, or the same keys with null values when the customer has none. */
export type MembershipOrAbsent = MembershipKeys | Absent<MembershipKeys>;
/** The customer group, or the same keys with null values when the site has no customer. */
export type CustomerOrAbsent = CustomerKeys | Absent<CustomerKeys>;

/** Every memberships event and its payload: the catalogue's table, checked by the compiler. */
export type MembershipEventPayloads = {
  customer_created: CustomerKeys & MembershipOrAbsent;
  customer_updated: CustomerKeys & MembershipOrAbsent;
  confirm_email_address: { verification_link: string } & CustomerKeys;
  membership_created: MembershipKeys & CustomerKeys;
  membership_updated: MembershipKeys & CustomerKeys;
  membership_expired: MembershipKeys & CustomerKeys;
  payment_created: PaymentKeys & MembershipKeys & CustomerKeys;
  payment_updated: PaymentKeys & MembershipKeys & CustomerKeys;
  payment_received: PaymentKeys & MembershipKeys & CustomerKeys;
  renewal_payment_created: { default_payment_url: string } & PaymentKeys & MembershipKeys & CustomerKeys;
  invoice_sent: { payment_url: string; invoice_message: string } & PaymentKeys & CustomerKeys;
  payment_failed: MembershipKeys & CustomerKeys & Pick<PaymentKeys, 'payment_gateway'>;
  site_published: SiteKeys & CustomerKeys & MembershipKeys;
  domain_created: DomainKeys & SiteKeys & MembershipOrAbsent & CustomerOrAbsent;
};

export type MembershipEvent = keyof MembershipEventPayloads;
