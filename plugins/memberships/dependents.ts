import type { PluginApi, Site, User } from '../../core/plugin-sdk.js';
import type { Domain, Membership, Payment } from './data/store.js';
import type { MembershipsService } from './service.js';

/**
 * What memberships records depend on users and sites, said before they are deleted:
 * - a user who is a customer: the customer, memberships and payments stay as the network's
 *   records (WordPress keeps orders of deleted users too), but nothing can be sent to them;
 * - a site with domain mappings: the mappings would point nowhere, so they go with the site.
 */
export function registerDependents(api: PluginApi, svc: MembershipsService): void {
  const { store } = svc;
  api.hooks.add_filter(
    'hookpress_delete_user_warnings',
    (warnings: string[], user: User) => {
      const customer = store.customerByUser(user.id);
      if (!customer) return warnings;
      const memberships = store.all<Membership>('mb_memberships').filter((m) => m.customer_id === customer.id);
      const ids = new Set(memberships.map((m) => m.id));
      const payments = store.all<Payment>('mb_payments').filter((p) => ids.has(p.membership_id)).length;
      return [
        ...warnings,
        `${user.login} is a customer (#${customer.id}) with ${plural(memberships.length, 'membership')} and ${plural(payments, 'payment')}. ` +
          'Those records are kept, but invoices and emails can no longer be sent to this customer.',
      ];
    },
    10,
    2,
  );
  api.hooks.add_filter(
    'hookpress_delete_site_warnings',
    (warnings: string[], site: Site) => {
      const domains = store.all<Domain>('mb_domains').filter((d) => d.site_id === site.id);
      if (!domains.length) return warnings;
      return [...warnings, `Its domain mapping${domains.length === 1 ? '' : 's'} ${domains.map((d) => d.domain).join(', ')} will be removed too.`];
    },
    10,
    2,
  );
  api.hooks.add_action('wp_delete_site', (site: Site) => store.deleteDomainsOfSite(site.id));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
