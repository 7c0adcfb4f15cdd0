import { html, type SafeHtml } from '../../http/html.js';
import type { Screen } from '../routes.js';

/** A box on the network dashboard, added during `wp_network_dashboard_setup`. */
export interface DashboardWidget {
  id: string;
  title: string;
  render: () => SafeHtml | Promise<SafeHtml>;
}

export const dashboardScreen: Screen = {
  capability: 'manage_network',
  id: 'dashboard-network',
  async handle(ctx, { host, plugins }) {
    const widgets: DashboardWidget[] = [];
    // Plugins add widgets as WordPress plugins do: wp_add_dashboard_widget during setup.
    host.hooks.do_action('wp_network_dashboard_setup', {
      wp_add_dashboard_widget: (id: string, title: string, render: DashboardWidget['render']) => widgets.push({ id, title, render }),
    }, ctx);
    const activePlugins = plugins.list().filter((p) => p.active).length;
    const [recentUsers, recentSites, siteCount, userCount] = await Promise.all([host.users.recentAsync(5), host.sites.recentAsync(5), host.sites.countAsync(), host.users.countAsync()]);
    const rendered = await Promise.all(widgets.map(async (w) => html`<section class="postbox" id="${w.id}" aria-labelledby="${w.id}-title"><h2 id="${w.id}-title">${w.title}</h2>${await w.render()}</section>`));
    const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
    await ctx.renderHtml(
      html`<h1>Dashboard</h1>
      <div class="dashboard-widgets">
        <section class="postbox" aria-labelledby="rightnow-title">
          <h2 id="rightnow-title">Right Now</h2>
          <ul class="counts">
            <li><a href="/wp-admin/network/sites.php"><strong>${siteCount}</strong> sites</a></li>
            <li><a href="/wp-admin/network/users.php"><strong>${userCount}</strong> users</a></li>
            <li><a href="/wp-admin/network/plugins.php"><strong>${activePlugins}</strong> active plugins</a></li>
          </ul>
          <p><a class="button" href="/wp-admin/network/site-new.php">Create a New Site</a> <a class="button" href="/wp-admin/network/user-new.php">Create a New User</a></p>
        </section>
        <section class="postbox" aria-labelledby="activity-title">
          <h2 id="activity-title">Recent Activity</h2>
          <h3>New users</h3>
          <ul>${recentUsers.map((u) => html`<li>${u.display_name} (${u.login}) — ${when(u.registered)}</li>`)}</ul>
          <h3>New sites</h3>
          <ul>${recentSites.map((s) => html`<li>${s.title} (${s.slug}) — ${when(s.registered)}</li>`)}</ul>
        </section>
        ${rendered}
      </div>`,
      { title: 'Dashboard' },
    );
  },
};
