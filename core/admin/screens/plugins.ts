import { html } from '../../http/html.js';
import { bodyString } from '../form.js';
import { PluginError } from '../../plugins/types.js';
import type { Screen } from '../routes.js';

const PLUGINS = '/wp-admin/network/plugins.php';

export const pluginsScreen: Screen = {
  capability: 'manage_network_plugins',
  id: 'plugins-network',
  async handle(ctx, { plugins }) {
    const { req } = ctx;
    if (req.method === 'POST') {
      const action = bodyString(req.body, 'action');
      const slug = bodyString(req.body, 'plugin');
      ctx.check_admin_referer(`${action}-plugin_${slug}`);
      const listing = plugins.list().find((p) => p.slug === slug);
      const name = listing?.manifest?.name ?? slug;
      try {
        if (action === 'activate') {
          await plugins.activate(slug);
          ctx.add_notice('success', `Plugin “${name}” network activated.`);
        } else if (action === 'deactivate') {
          await plugins.deactivate(slug);
          ctx.add_notice('success', `Plugin “${name}” network deactivated.`);
        } else if (action === 'uninstall') {
          // WordPress asks first ("Are you sure you want to delete … and its data?").
          if (bodyString(req.body, 'confirm') !== '1') {
            return ctx.renderHtml(
              html`<h1>Uninstall Plugin</h1>
              <p>Are you sure you want to uninstall “${name}” and delete all of its data? This cannot be undone. The plugin stays in the plugins folder.</p>
              <form method="post" action="${PLUGINS}">
                ${ctx.wp_nonce_field(`uninstall-plugin_${slug}`)}
                <input type="hidden" name="action" value="uninstall"><input type="hidden" name="plugin" value="${slug}"><input type="hidden" name="confirm" value="1">
                <button type="submit" class="button button-primary">Yes, uninstall and delete its data</button>
                <a class="button" href="${PLUGINS}">No, return me to the plugin list</a>
              </form>`,
              { title: 'Uninstall Plugin' },
            );
          }
          await plugins.uninstall(slug);
          ctx.add_notice('success', `Plugin “${name}” uninstalled: its data was deleted.`);
        } else {
          ctx.add_notice('error', 'Unknown plugin action.');
        }
      } catch (error) {
        if (!(error instanceof PluginError)) throw error;
        ctx.add_notice('error', error.message);
      }
      return ctx.redirect(PLUGINS);
    }
    // The folder as it is now, as WordPress's Plugins screen reads it on every load.
    await plugins.rescan();
    const rows = plugins.list().map((p) => {
      const action = p.active ? 'deactivate' : 'activate';
      // An active plugin not loaded here (its folder missing on this server…) can still be network-deactivated.
      const button = p.error && !p.active
        ? ''
        : html`<form method="post" action="${PLUGINS}" class="inline-form">
            ${ctx.wp_nonce_field(`${action}-plugin_${p.slug}`)}
            <input type="hidden" name="action" value="${action}"><input type="hidden" name="plugin" value="${p.slug}">
            <button type="submit" class="button${p.active ? '' : ' button-primary'}" aria-label="${p.active ? 'Network Deactivate' : 'Network Activate'} ${p.manifest?.name ?? p.slug}">${p.active ? 'Network Deactivate' : 'Network Activate'}</button>
          </form>`;
      const uninstall =
        !p.error && !p.active && p.uninstallable
          ? html` <form method="post" action="${PLUGINS}" class="inline-form">
              ${ctx.wp_nonce_field(`uninstall-plugin_${p.slug}`)}
              <input type="hidden" name="action" value="uninstall"><input type="hidden" name="plugin" value="${p.slug}">
              <button type="submit" class="button button-link-delete" aria-label="Uninstall ${p.manifest?.name ?? p.slug}">Uninstall</button>
            </form>`
          : '';
      return html`<tr class="${p.active ? 'active' : 'inactive'}" id="plugin-${p.slug}">
        <th scope="row" class="column-primary"><strong>${p.manifest?.name ?? p.slug}</strong><div class="row-actions-visible">${button}${uninstall}</div></th>
        <td class="column-description">
          ${p.error ? html`<p class="field-error">This plugin could not be loaded: ${p.error}</p>` : html`<p>${p.manifest!.description}</p>`}
          ${p.manifest ? html`<p class="description">Version ${p.manifest.version} | By ${p.manifest.author}</p>` : ''}
        </td>
        <td>${p.active ? html`<span class="badge badge-success">Network Active</span>` : html`<span class="badge">Inactive</span>`}</td>
      </tr>`;
    });
    await ctx.renderHtml(
      html`<h1>Plugins</h1>
      <table class="wp-list-table widefat plugins">
        <thead><tr><th scope="col">Plugin</th><th scope="col">Description</th><th scope="col">Status</th></tr></thead>
        <tbody>${rows.length ? rows : html`<tr><td colspan="3">No plugins found in the plugins folder.</td></tr>`}</tbody>
      </table>`,
      { title: 'Plugins' },
    );
  },
};
