import { html } from '../../http/html.js';
import { bodyString, formField, TEXT_LIMITS, tooLong } from '../form.js';
import type { Screen } from '../routes.js';

export const settingsScreen: Screen = {
  capability: 'manage_network_options',
  id: 'settings-network',
  async handle(ctx, { host }) {
    const { req } = ctx;
    const errors: Record<string, string> = {};
    let siteName = String(host.options.get_site_option('site_name', 'Hookpress Network'));
    let adminEmail = String(host.options.get_site_option('admin_email', host.config.adminEmail));
    if (req.method === 'POST') {
      ctx.check_admin_referer('siteoptions');
      siteName = bodyString(req.body, 'site_name');
      adminEmail = bodyString(req.body, 'admin_email');
      if (!siteName) errors.site_name = 'The network title cannot be empty.';
      if (siteName.length > TEXT_LIMITS.title) errors.site_name = tooLong('The network title', siteName, TEXT_LIMITS.title);
      if (!/^[^\s@<>"']+@[^\s@<>"']+$/.test(adminEmail)) errors.admin_email = 'Enter a valid email address.';
      else if (adminEmail.length > TEXT_LIMITS.email) errors.admin_email = tooLong('An email address', adminEmail, TEXT_LIMITS.email);
      if (!Object.keys(errors).length) {
        host.options.update_site_option('site_name', siteName);
        host.options.update_site_option('admin_email', adminEmail);
        host.hooks.do_action('update_wpmu_options', '');
        ctx.add_notice('success', 'Settings saved.');
        return ctx.redirect('/wp-admin/network/settings.php');
      }
    }
    await ctx.renderHtml(
      html`<h1>Network Settings</h1>
      <form method="post" action="/wp-admin/network/settings.php" novalidate>
        ${ctx.wp_nonce_field('siteoptions')}
        <table class="form-table" role="presentation">
          ${formField({ id: 'site_name', label: 'Network Title', value: siteName, error: errors.site_name, required: true })}
          ${formField({ id: 'admin_email', label: 'Network Admin Email', type: 'email', value: adminEmail, error: errors.admin_email, required: true, description: 'This address is used for admin purposes.' })}
        </table>
        <p class="submit"><button type="submit" class="button button-primary">Save Changes</button></p>
      </form>`,
      { title: 'Network Settings', status: Object.keys(errors).length ? 422 : 200 },
    );
  },
};
