import type { EventRegistrar, EventTypeDefinition } from '../../../core/plugin-sdk.js';
import type { MembershipEvent, MembershipEventPayloads } from './payload-keys.js';
import { sampleCustomer, sampleDomain, sampleMembership, samplePayment, sampleSite } from './samples.js';

/** The plain action each event is bound to: `memberships_<slug>`. */
export const membershipAction = <S extends MembershipEvent>(slug: S): `memberships_${S}` => `memberships_${slug}`;

interface Entry<S extends MembershipEvent> {
  name: string;
  group: 'Customers' | 'Memberships' | 'Payments' | 'Sites & Domains';
  desc: string;
  /** The sample payload: the catalogue shows it and Send Test Event sends it. */
  sample: () => MembershipEventPayloads[S];
}

const pendingPayment = { ...samplePayment, payment_status: 'pending' };

/**
 * Ultimate Multisite's event catalogue (slugs and payload keys kept exactly, our own labels and
 * descriptions). Each sample is checked by the compiler against its event's payload type.
 */
export const MEMBERSHIP_EVENTS: { [S in MembershipEvent]: Entry<S> } = {
  payment_received: {
    name: 'Payment Received',
    group: 'Payments',
    desc: 'A customer paid: fires every time a payment is recorded as completed.',
    sample: () => ({ ...samplePayment, ...sampleMembership, ...sampleCustomer }),
  },
  site_published: {
    name: 'Site Published',
    group: 'Sites & Domains',
    desc: 'A site that belongs to a customer’s membership was created and published.',
    sample: () => ({ ...sampleSite, ...sampleCustomer, ...sampleMembership }),
  },
  confirm_email_address: {
    name: 'Email Verification Needed',
    group: 'Customers',
    desc: 'A customer signed up and must confirm their email address; the payload carries the verification link.',
    sample: () => ({ verification_link: 'http://127.0.0.1:8080/memberships/verify-email/3f9c2a7d1e', ...sampleCustomer, customer_email_verification: 'pending' }),
  },
  domain_created: {
    name: 'New Domain Mapping Added',
    group: 'Sites & Domains',
    desc: 'A custom domain was mapped to a site.',
    sample: () => ({ ...sampleDomain, ...sampleSite, ...sampleMembership, ...sampleCustomer }),
  },
  renewal_payment_created: {
    name: 'New Renewal Payment Created',
    group: 'Payments',
    desc: 'A membership is about to renew and a pending renewal payment was created; the payload links to where it can be paid.',
    sample: () => ({ default_payment_url: 'http://127.0.0.1:8080/memberships/pay/PAY-4F8D2C', ...pendingPayment, ...sampleMembership, ...sampleCustomer }),
  },
  invoice_sent: {
    name: 'Invoice Sent',
    group: 'Payments',
    desc: 'An admin sent the invoice of a payment to the customer.',
    sample: () => ({
      payment_url: 'http://127.0.0.1:8080/memberships/pay/PAY-4F8D2C',
      invoice_message: 'Thank you for your business. Your invoice PAY-4F8D2C is attached.',
      ...samplePayment,
      ...sampleCustomer,
    }),
  },
  payment_failed: {
    name: 'Recurring Payment Failed',
    group: 'Payments',
    desc: 'A pending renewal payment was marked as failed.',
    sample: () => ({ ...sampleMembership, ...sampleCustomer, payment_gateway: 'manual' }),
  },
  membership_expired: {
    name: 'Membership Expired',
    group: 'Memberships',
    desc: 'A membership passed its expiration date without being renewed.',
    sample: () => ({ ...sampleMembership, membership_status: 'expired', ...sampleCustomer }),
  },
  customer_created: { name: 'Customer Created', group: 'Customers', desc: 'A customer was created.', sample: () => ({ ...sampleCustomer, ...sampleMembership }) },
  customer_updated: { name: 'Customer Updated', group: 'Customers', desc: 'A customer was changed.', sample: () => ({ ...sampleCustomer, ...sampleMembership }) },
  membership_created: { name: 'Membership Created', group: 'Memberships', desc: 'A membership was created.', sample: () => ({ ...sampleMembership, ...sampleCustomer }) },
  membership_updated: { name: 'Membership Updated', group: 'Memberships', desc: 'A membership was changed.', sample: () => ({ ...sampleMembership, ...sampleCustomer }) },
  payment_created: { name: 'Payment Created', group: 'Payments', desc: 'A payment was created.', sample: () => ({ ...samplePayment, ...sampleMembership, ...sampleCustomer }) },
  payment_updated: { name: 'Payment Updated', group: 'Payments', desc: 'A payment was changed.', sample: () => ({ ...samplePayment, ...sampleMembership, ...sampleCustomer }) },
};

/** How each event's action arguments become its payload (see eventBuilders in ../payloads.ts). */
export type EventBuilders = { [S in MembershipEvent]: (...args: never[]) => MembershipEventPayloads[S] };

/**
 * Registers every memberships event on the registrar `wu_register_all_events` passes, each
 * bound through `hook:` to its own plain action `memberships_<slug>`: firing the action
 * (inside the change's transaction) is firing the event. Nothing here imports the webhooks
 * plugin; without it the actions still fire, for any plugin listening.
 */
export function registerMembershipEvents(events: EventRegistrar, builders: EventBuilders): void {
  for (const slug of Object.keys(MEMBERSHIP_EVENTS) as MembershipEvent[]) {
    const { name, group, desc, sample } = MEMBERSHIP_EVENTS[slug];
    const build = builders[slug] as (...args: unknown[]) => MembershipEventPayloads[typeof slug];
    const def: EventTypeDefinition = {
      name,
      group,
      desc,
      source: 'memberships',
      payload: sample,
      hook: { action: membershipAction(slug), accepted_args: build.length, to_payload: (...args: never[]) => build(...args) },
    };
    events.wu_register_event_type(slug, def);
  }
}
