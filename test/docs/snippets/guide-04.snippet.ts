// Generated from docs/plugin-authoring.md (block 4) by tools/doc-snippets.ts — do not edit; edit the doc and run npm run docs:snippets.
import type { PageContext, PluginApi } from '../../../core/plugin-sdk.js';
import { esc_url, is_email, sanitize_text_field, wp_die } from '../../../core/plugin-sdk.js';

export async function load(api: PluginApi): Promise<void> {
  const { __, sprintf } = api.i18n;                       // text domain = your slug; files in languages/
  api.users.register_capability('manage_greetings', __('Manage greetings'));   // super admins have it
  api.settingsApi.register_setting('greetings', 'greetings_text', { type: 'string', default: 'Hello', sanitize_callback: sanitize_text_field });
  api.settingsApi.add_settings_section('main', __('Greeting'), null, 'greetings');
  api.settingsApi.add_settings_field('greetings_text', __('Text'), (args) =>
    api.ui.html`<input type="text" id="${String(args.label_for)}" name="greetings_text" value="${api.options.get_site_option('greetings_text')}" class="regular-text">`,
    'greetings', 'main', { label_for: 'greetings_text' });
  api.hooks.add_action('network_admin_menu', () => {
    const hook = api.menus.add_menu_page(__('Greetings'), __('Greetings'), 'manage_greetings', 'greetings', (ctx: PageContext) =>
      ctx.renderHtml(api.ui.html`<h1>${__('Greetings')}</h1>
        <form method="post" action="${api.urls.admin_page_url('greetings')}">
          ${api.settingsApi.settings_fields(ctx, 'greetings')}${api.settingsApi.do_settings_sections('greetings')}
          <p class="submit"><button type="submit" class="button button-primary">${__('Save Changes')}</button></p>
        </form>`, { title: __('Greetings') }), 'dashicons-megaphone');
    // options.php's job: nonce, capability, sanitize, store, "Settings saved.", redirect.
    api.hooks.add_action(`load-${hook}`, (ctx: PageContext) => void api.settingsApi.handle_settings_post(ctx, 'greetings'));
  });
  // A site transient: cached for an hour, then gone.
  // (The synchronous get_site_transient works on SQLite only; the _async form on both databases.)
  if ((await api.options.get_site_transient_async('greetings_count')) === false) await api.options.set_site_transient_async('greetings_count', 42, 3600);
  // WordPress's validators, and wp_die for a request that cannot go on.
  api.routes.get('/greet', (req, res) => {
    const email = is_email(String(req.query.email ?? ''));
    if (!email) wp_die(__('That is not an email address.'), 400);
    res.type('html').send(api.ui.html`<a href="${esc_url(String(req.query.back ?? '/'))}">${sprintf(__('Hello, %s'), email)}</a>`.value);
  });
}
