import type { PluginApi } from '../../../core/plugins/types.js';
import type { EventTypeDefinition } from './registry.js';
import { sampleCustomer, sampleDomain, sampleMembership, samplePayment, sampleSite, sampleUser } from './sample-groups.js';

const MODELS = [
  ['customer', 'Customer', sampleCustomer],
  ['membership', 'Membership', sampleMembership],
  ['payment', 'Payment', samplePayment],
] as const;

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * The built-in event types: the original product's catalogue (slugs and payload keys kept
 * exactly, our own labels and descriptions) and the host's own actions.
 */
export function builtInEvents(api: PluginApi): Array<[string, EventTypeDefinition]> {
  const events: Array<[string, EventTypeDefinition]> = [
    [
      'payment_received',
      {
        name: 'Payment Received',
        group: 'Payments',
        desc: 'A customer paid: fires every time a payment is recorded as completed.',
        payload: () => ({ ...samplePayment, ...sampleMembership, ...sampleCustomer }),
      },
    ],
    [
      'site_published',
      {
        name: 'Site Published',
        group: 'Sites & Domains',
        desc: 'A site that belongs to a customer’s membership was created and published.',
        payload: () => ({ ...sampleSite, ...sampleCustomer, ...sampleMembership }),
      },
    ],
    [
      'confirm_email_address',
      {
        name: 'Email Verification Needed',
        group: 'Customers',
        desc: 'A customer signed up and must confirm their email address; the payload carries the verification link.',
        payload: () => ({ verification_link: 'http://127.0.0.1:8080/memberships/verify-email/3f9c2a7d1e', ...sampleCustomer, customer_email_verification: 'pending' }),
      },
    ],
    [
      'domain_created',
      {
        name: 'New Domain Mapping Added',
        group: 'Sites & Domains',
        desc: 'A custom domain was mapped to a site.',
        payload: () => ({ ...sampleDomain, ...sampleSite, ...sampleMembership, ...sampleCustomer }),
      },
    ],
    [
      'renewal_payment_created',
      {
        name: 'New Renewal Payment Created',
        group: 'Payments',
        desc: 'A membership is about to renew and a pending renewal payment was created; the payload links to where it can be paid.',
        payload: () => ({
          default_payment_url: 'http://127.0.0.1:8080/memberships/pay/PAY-4F8D2C',
          ...samplePayment,
          payment_status: 'pending',
          ...sampleMembership,
          ...sampleCustomer,
        }),
      },
    ],
    [
      'invoice_sent',
      {
        name: 'Invoice Sent',
        group: 'Payments',
        desc: 'An admin sent the invoice of a payment to the customer.',
        payload: () => ({
          payment_url: 'http://127.0.0.1:8080/memberships/pay/PAY-4F8D2C',
          invoice_message: 'Thank you for your business. Your invoice PAY-4F8D2C is attached.',
          ...samplePayment,
          ...sampleCustomer,
        }),
      },
    ],
    [
      'payment_failed',
      {
        name: 'Recurring Payment Failed',
        group: 'Payments',
        desc: 'A pending renewal payment was marked as failed.',
        payload: () => ({ ...sampleMembership, ...sampleCustomer, payment_gateway: 'manual' }),
      },
    ],
    [
      'membership_expired',
      {
        name: 'Membership Expired',
        group: 'Memberships',
        desc: 'A membership passed its expiration date without being renewed.',
        payload: () => ({ ...sampleMembership, membership_status: 'expired', ...sampleCustomer }),
      },
    ],
  ];
  for (const [model, label, sample] of MODELS) {
    for (const [verb, when] of [
      ['created', 'was created'],
      ['updated', 'was changed'],
    ] as const) {
      const groups: Record<string, unknown> = model === 'membership' ? { ...sampleMembership, ...sampleCustomer } : { ...sample, ...sampleMembership, ...sampleCustomer };
      events.push([
        `${model}_${verb}`,
        {
          name: `${label} ${verb === 'created' ? 'Created' : 'Updated'}`,
          group: `${label === 'Customer' ? 'Customers' : label === 'Payment' ? 'Payments' : 'Memberships'}`,
          desc: `A ${model} ${when}.`,
          payload: () => structuredClone(groups),
        },
      ]);
    }
  }
  events.push(
    [
      'user_created',
      {
        name: 'New User Account',
        group: 'Network',
        desc: 'A user account was created on the network — for example, to add the person to a mailing list.',
        payload: () => ({ ...sampleUser }),
        hook: {
          action: 'user_register',
          accepted_args: 1,
          to_payload: (userId: number) => {
            const user = api.users.get(userId);
            return user
              ? { user_id: user.id, user_login: user.login, user_display_name: user.display_name, user_email: user.email, user_registered: isoDate(user.registered) }
              : null;
          },
        },
      },
    ],
    [
      'site_created',
      {
        name: 'New Site Created',
        group: 'Network',
        desc: 'A site was added to the network.',
        payload: () => ({ site_id: sampleSite.site_id, site_title: sampleSite.site_title, site_slug: 'ada-engines', site_admin_email: 'ada@example.com', site_manage_url: sampleSite.site_manage_url, site_registered: '2026-11-28 09:10:00' }),
        hook: {
          action: 'wp_initialize_site',
          accepted_args: 1,
          to_payload: (site: { id: number; title: string; slug: string; admin_email: string; registered: number }) => ({
            site_id: site.id,
            site_title: site.title,
            site_slug: site.slug,
            site_admin_email: site.admin_email,
            site_manage_url: api.urls.home_url(`/wp-admin/network/sites.php?id=${site.id}`),
            site_registered: isoDate(site.registered),
          }),
        },
      },
    ],
  );
  return events;
}
