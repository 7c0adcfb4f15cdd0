import { currentUnitOfWork, type PluginApi, type Site, type User } from '../../core/plugin-sdk.js';
import type { MembershipsService } from './service.js';

/**
 * What memberships records depend on users and sites, said before they are deleted:
 * - a user who is a customer: the customer, memberships and payments stay as the network's
 *   records (WordPress keeps orders of deleted users too), but nothing can be sent to them;
 * - a site with domain mappings: the mappings would point nowhere, so they go with the site.
 */
export function registerDependents(api: PluginApi, svc: MembershipsService): void {
  // Core applies these two filters with apply_filters_async: they read through api.db, on either backend.
  api.hooks.add_filter(
    'hookpress_delete_user_warnings',
    async (warnings: string[], user: User) => {
      const customer = await svc.store.customerByUser(user.id);
      if (!customer) return warnings;
      const { memberships, payments } = await svc.store.customerRecordCounts(customer.id);
      return [
        ...warnings,
        `${user.login} is a customer (#${customer.id}) with ${plural(memberships, 'membership')} and ${plural(payments, 'payment')}. ` +
          'Those records are kept, but invoices and emails can no longer be sent to this customer.',
      ];
    },
    10,
    2,
  );
  api.hooks.add_filter(
    'hookpress_delete_site_warnings',
    async (warnings: string[], site: Site) => {
      const domains = await svc.store.domainsOfSite(site.id);
      if (!domains.length) return warnings;
      return [...warnings, `Its domain mapping${domains.length === 1 ? '' : 's'} ${domains.join(', ')} will be removed too.`];
    },
    10,
    2,
  );
  // The request that deleted the site is answered only once its mappings are gone too.
  api.hooks.add_action('wp_delete_site', (site: Site) => {
    const removed = svc.store.deleteDomainsOfSite(site.id);
    const unit = currentUnitOfWork();
    if (unit) unit.defer(removed);
    else removed.catch((error: unknown) => api.logger.error({ err: error, site: site.id }, 'could not remove the domain mappings of a deleted site'));
  });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
