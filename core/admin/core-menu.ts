import type { AdminMenu } from './menu.js';

/** The host's own menu entries, in WordPress's network-admin order. */
export function registerCoreMenu(menu: AdminMenu): void {
  menu.add_menu_page('core', 'Dashboard', 'Dashboard', 'manage_network', 'index', undefined, 'dashicons-dashboard', 2, 'index.php');
  menu.add_menu_page('core', 'Sites', 'Sites', 'manage_sites', 'sites', undefined, 'dashicons-admin-multisite', 5, 'sites.php');
  menu.add_submenu_page('core', 'sites', 'Sites', 'All Sites', 'manage_sites', 'sites-all', undefined, undefined, 'sites.php');
  menu.add_submenu_page('core', 'sites', 'Add New Site', 'Add New Site', 'create_sites', 'site-new', undefined, undefined, 'site-new.php');
  menu.add_menu_page('core', 'Users', 'Users', 'manage_network_users', 'users', undefined, 'dashicons-admin-users', 10, 'users.php');
  menu.add_submenu_page('core', 'users', 'Users', 'All Users', 'manage_network_users', 'users-all', undefined, undefined, 'users.php');
  menu.add_submenu_page('core', 'users', 'Add New User', 'Add New User', 'create_users', 'user-new', undefined, undefined, 'user-new.php');
  menu.add_menu_page('core', 'Plugins', 'Plugins', 'manage_network_plugins', 'plugins', undefined, 'dashicons-admin-plugins', 20, 'plugins.php');
  menu.add_menu_page('core', 'Tools', 'Tools', 'manage_network_options', 'tools', undefined, 'dashicons-admin-tools', 22, 'cron.php');
  menu.add_submenu_page('core', 'tools', 'Scheduled Events', 'Scheduled Events', 'manage_network_options', 'cron', undefined, undefined, 'cron.php');
  menu.add_menu_page('core', 'Settings', 'Settings', 'manage_network_options', 'settings', undefined, 'dashicons-admin-settings', 25, 'settings.php');
  menu.add_submenu_page('core', 'settings', 'Network Settings', 'Network Settings', 'manage_network_options', 'settings-network', undefined, undefined, 'settings.php');
  menu.add_submenu_page('core', 'settings', 'API & Webhooks', 'API & Webhooks', 'manage_network_options', 'settings-api', undefined, undefined, 'settings-api.php');
  menu.add_submenu_page('core', 'users', 'Profile', 'Profile', 'exist', 'profile', undefined, undefined, 'profile.php');
}
