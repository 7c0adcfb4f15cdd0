import type { PluginApi } from '../../../core/plugins/types.js';
import type { WebhooksService } from '../service.js';
import { handleDeliveries } from './deliveries-screen.js';
import { renderEvents } from './events-screen.js';
import { handleAdd, handleEdit } from './form-screen.js';
import { handleListActions, renderList } from './list-screen.js';
import { CAPABILITY, PAGES, type ScreenDeps } from './shared.js';

/** The network admin screens of the webhooks plugin, registered on network_admin_menu. */
export function registerAdminScreens(api: PluginApi, service: WebhooksService): void {
  const deps: ScreenDeps = { api, service };
  api.hooks.add_action('network_admin_menu', function webhooksAdminMenu() {
    const listHook = api.menus.add_menu_page('Webhooks', 'Webhooks', CAPABILITY, PAGES.list, (ctx) => renderList(ctx, deps), 'dashicons-webhooks', 30);
    api.menus.add_submenu_page(PAGES.list, 'Webhooks', 'All Webhooks', CAPABILITY, PAGES.list, undefined, 0);
    api.menus.add_submenu_page(PAGES.list, 'Add New Webhook', 'Add New Webhook', CAPABILITY, PAGES.add, (ctx) => handleAdd(ctx, deps));
    api.menus.add_submenu_page(PAGES.list, 'Events', 'Events', CAPABILITY, PAGES.events, (ctx) => renderEvents(ctx, deps));
    api.menus.add_submenu_page(PAGES.list, 'Deliveries', 'Deliveries', CAPABILITY, PAGES.deliveries, (ctx) => handleDeliveries(ctx, deps));
    // No menu title: routed and highlighting “Webhooks”, but not listed.
    api.menus.add_submenu_page(PAGES.list, 'Edit Webhook', '', CAPABILITY, PAGES.edit, (ctx) => handleEdit(ctx, deps));
    // State changes of the list screen are handled before it renders, as WordPress screens do.
    api.hooks.add_action(`load-${listHook}`, (ctx: Parameters<typeof handleListActions>[0]) => handleListActions(ctx, deps));
  });
}
