import { html } from '../../http/html.js';
import type { Screen } from '../routes.js';
import { renderPostConfirmation } from '../form.js';

const SCREEN = '/wp-admin/network/settings-api.php';

/**
 * Settings → API & Webhooks (Ultimate Multisite's screen): the network API key and secret,
 * shown with copy buttons, regenerate, and the "Enable API" switch.
 */
export const apiSettingsScreen: Screen = {
  capability: 'manage_network_options',
  id: 'settings-api-network',
  async handle(ctx, { host }) {
    const { req } = ctx;
    if (req.method === 'POST') {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body.action === 'regenerate') {
        ctx.check_admin_referer('api-regenerate');
        // Every integration using the current key breaks at once: ask first.
        if (body.confirmed !== '1') {
          return renderPostConfirmation(ctx, {
            title: 'Regenerate API Key and Secret',
            message: html`A new API key and secret replace the current ones. Every integration that uses the current key and secret (Zapier and the like) stops working at once, until you give it the new ones. This cannot be undone.`,
            actionUrl: SCREEN,
            nonceAction: 'api-regenerate',
            fields: { action: 'regenerate' },
            confirmLabel: 'Yes, Regenerate',
            cancelUrl: SCREEN,
          });
        }
        host.apiKey.regenerate();
        ctx.add_notice('success', 'A new API key and secret were generated. The old ones no longer work.');
      } else {
        ctx.check_admin_referer('api-settings');
        host.apiKey.setEnabled(body.enable_api === '1');
        ctx.add_notice('success', 'Settings saved.');
      }
      return ctx.redirect('/wp-admin/network/settings-api.php');
    }
    const creds = host.apiKey.get();
    const base = host.baseUrl();
    await ctx.renderHtml(
      html`<h1>API &amp; Webhooks</h1>
      <p>The network API (<code>${base}/wp-json/wu/v2/</code>) lets integrations such as Zapier manage webhooks. Send the key and secret as HTTP Basic credentials (user = key, password = secret) or as <code>api_key</code> / <code>api_secret</code> parameters, and only over HTTPS. The <a href="${base}/wp-json/wu/v2/openapi.json">OpenAPI document</a> describes every route.</p>
      <form method="post" action="/wp-admin/network/settings-api.php">
        ${ctx.wp_nonce_field('api-settings')}
        <table class="form-table" role="presentation">
          <tr><th scope="row">Enable API</th><td><label for="enable_api"><input type="checkbox" id="enable_api" name="enable_api" value="1"${creds.enabled ? html` checked` : ''}> Allow requests authenticated with the API key and secret</label></td></tr>
          <tr><th scope="row"><label for="api_key">API Key</label></th><td><input type="text" id="api_key" class="regular-text code" readonly value="${creds.key}"> <button type="button" class="button copy-button" data-core-copy="api_key" hidden>Copy</button></td></tr>
          <tr><th scope="row"><label for="api_secret">API Secret</label></th><td><input type="text" id="api_secret" class="regular-text code" readonly value="${creds.secret}"> <button type="button" class="button copy-button" data-core-copy="api_secret" hidden>Copy</button></td></tr>
        </table>
        <p class="submit"><button type="submit" class="button button-primary">Save Changes</button></p>
      </form>
      <form method="post" action="/wp-admin/network/settings-api.php">
        ${ctx.wp_nonce_field('api-regenerate')}
        <input type="hidden" name="action" value="regenerate">
        <p><button type="submit" class="button">Regenerate API Key and Secret</button> The current ones stop working at once (you are asked to confirm).</p>
      </form>`,
      { title: 'API & Webhooks' },
    );
  },
};
