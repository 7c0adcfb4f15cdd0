import type { DashboardWidget, PageContext, PluginApi } from '../../../core/plugin-sdk.js';
import type { WebhooksAdminApi } from './admin-api.js';
import { handleDeliveries } from './deliveries-screen.js';
import { renderEvents } from './events-screen.js';
import { handleAdd, handleEdit } from './form-screen.js';
import { handleListActions, renderList } from './list-screen.js';
import { handleInspector } from './inspector-screen.js';
import { CAPABILITY, PAGES, pageUrl, type ScreenDeps } from './shared.js';

/** The network admin screens of the webhooks plugin, registered on network_admin_menu. */
export function registerAdminScreens(api: PluginApi, admin: WebhooksAdminApi): void {
  const deps: ScreenDeps = { api, admin };
  api.hooks.add_action('network_admin_menu', function webhooksAdminMenu() {
    const listHook = api.menus.add_menu_page('Webhooks', 'Webhooks', CAPABILITY, PAGES.list, (ctx) => renderList(ctx, deps), 'dashicons-webhooks', 30);
    api.menus.add_submenu_page(PAGES.list, 'Webhooks', 'All Webhooks', CAPABILITY, PAGES.list, undefined, 0);
    api.menus.add_submenu_page(PAGES.list, 'Add New Webhook', 'Add New Webhook', CAPABILITY, PAGES.add, (ctx) => handleAdd(ctx, deps));
    api.menus.add_submenu_page(PAGES.list, 'Events', 'Events', CAPABILITY, PAGES.events, (ctx) => renderEvents(ctx, deps));
    api.menus.add_submenu_page(PAGES.list, 'Deliveries', 'Deliveries', CAPABILITY, PAGES.deliveries, (ctx) => handleDeliveries(ctx, deps));
    api.menus.add_submenu_page(PAGES.list, 'Request Inspector', 'Request Inspector', CAPABILITY, PAGES.inspector, (ctx) => handleInspector(ctx, deps));
    // No menu title: routed and highlighting “Webhooks”, but not listed.
    api.menus.add_submenu_page(PAGES.list, 'Edit Webhook', '', CAPABILITY, PAGES.edit, (ctx) => handleEdit(ctx, deps));
    // State changes of the list screen are handled before it renders, as WordPress screens do.
    api.hooks.add_action(`load-${listHook}`, (ctx: Parameters<typeof handleListActions>[0]) => handleListActions(ctx, deps));
  });

  // Delivery health at a glance on the network dashboard.
  api.hooks.add_action(
    'wp_network_dashboard_setup',
    (setup: { wp_add_dashboard_widget(id: string, title: string, render: DashboardWidget['render']): void }, ctx: PageContext) => {
      if (!ctx.current_user_can(CAPABILITY)) return;
      setup.wp_add_dashboard_widget('webhooks-health', 'Webhooks', async () => {
        // Counts of deliveries, each linked to the deliveries list filtered the same way, so
        // the list shows exactly the items counted (the hour's start travels in the link).
        // Test sends count in none of the figures (as the list's Deliveries column and the edit
        // screen): every count is of real deliveries, and every link carries is_test=0.
        const since = api.clock() - 3_600_000;
        const count = async (f: Parameters<WebhooksAdminApi['list_deliveries']>[0]) => (await admin.list_deliveries({ ...f, isTest: false, limit: 1 })).total;
        const deliveriesUrl = (q: Record<string, string | number>) => pageUrl(api, PAGES.deliveries, { ...q, is_test: 0 });
        const disabled = (await admin.list_webhooks({ status: 'disabled', limit: 1 })).total;
        const { html } = api.ui;
        const item = (n: number, label: string, href: string, bad = false) =>
          html`<li><a href="${href}"><strong class="${bad && n > 0 ? 'count-bad' : ''}">${n}</strong> ${label}</a></li>`;
        return html`<ul class="counts">
          ${item(await count({ attemptedSince: since }), 'deliveries attempted in the last hour', deliveriesUrl({ attempted_since: since }))}
          ${item(await count({ status: 'failed', attemptedSince: since }), 'failed in the last hour', deliveriesUrl({ status: 'failed', attempted_since: since }), true)}
          ${item(await count({ status: 'pending', attempted: true }), 'retrying', deliveriesUrl({ status: 'retrying' }), true)}
          ${item(disabled, 'disabled endpoints', pageUrl(api, PAGES.list, { status: 'disabled' }), true)}
        </ul>`;
      });
    },
    10,
    2,
  );
}
