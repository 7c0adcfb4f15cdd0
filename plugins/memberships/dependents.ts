import { currentUnitOfWork, type PluginApi, type Site, type User } from '../../core/plugin-sdk.js';
import type { MembershipsService } from './service.js';

/**
 * What memberships records depend on users and sites, said before they are deleted:
 * - a user who is a customer: the customer, memberships and payments stay as the network's
 *   records (WordPress keeps orders of deleted users too), but nothing can be sent to them;
 * - a site with domain mappings: the mappings would point nowhere, so they go with the site.
 */
export function registerDependents(api: PluginApi, svc: MembershipsService): void {
  // Core applies these two filters synchronously (before its confirmation page), and the store
  // is asynchronous: they read through the deprecated synchronous handle, so on SQLite only.
  // TODO(plugin db): read through api.db once core applies them with apply_filters_async.
  const sync = () => (api.dialect === 'sqlite' ? api.sqlite : undefined);
  api.hooks.add_filter(
    'hookpress_delete_user_warnings',
    (warnings: string[], user: User) => {
      const db = sync();
      const customer = db?.prepare('SELECT id FROM mb_customers WHERE user_id = ?').get(user.id) as { id: number } | undefined;
      if (!db || !customer) return warnings;
      const memberships = (db.prepare('SELECT COUNT(*) AS n FROM mb_memberships WHERE customer_id = ?').get(customer.id) as { n: number }).n;
      const payments = (
        db.prepare('SELECT COUNT(*) AS n FROM mb_payments p JOIN mb_memberships m ON m.id = p.membership_id WHERE m.customer_id = ?').get(customer.id) as { n: number }
      ).n;
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
    (warnings: string[], site: Site) => {
      const domains = (sync()?.prepare('SELECT domain FROM mb_domains WHERE site_id = ? ORDER BY id').all(site.id) ?? []) as Array<{ domain: string }>;
      if (!domains.length) return warnings;
      return [...warnings, `Its domain mapping${domains.length === 1 ? '' : 's'} ${domains.map((d) => d.domain).join(', ')} will be removed too.`];
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
