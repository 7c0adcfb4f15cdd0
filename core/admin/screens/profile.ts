import { html } from '../../http/html.js';
import { bodyString, formField, renderPostConfirmation } from '../form.js';
import { chunkPassword } from '../../rest/application-passwords.js';
import { HookpressError } from '../../errors.js';
import type { Screen } from '../routes.js';

const PROFILE = '/wp-admin/network/profile.php';
const when = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC');

/**
 * Profile → Application Passwords (WordPress's user-edit.php section): create one with a name
 * (shown once, in groups of four), list them with last use and IP, revoke. Every user may
 * manage their own (capability `exist`).
 */
export const profileScreen: Screen = {
  capability: 'exist',
  id: 'profile-network',
  async handle(ctx, { host }) {
    const { req, user } = ctx;
    const errors: Record<string, string> = {};
    let created: { name: string; password: string } | undefined;
    if (req.method === 'POST') {
      const action = bodyString(req.body, 'action');
      if (action === 'create-application-password') {
        ctx.check_admin_referer('create-application-password');
        try {
          const { item, password } = await host.appPasswords.createAsync(user.id, bodyString(req.body, 'new_application_password_name'));
          created = { name: item.name, password };
        } catch (error) {
          if (!(error instanceof HookpressError)) throw error;
          errors.new_application_password_name = error.fieldMessages().name ?? error.message;
        }
      } else if (action === 'revoke-application-password') {
        const uuid = bodyString(req.body, 'uuid');
        ctx.check_admin_referer(`revoke-application-password_${uuid}`);
        // WordPress asks first ("Are you sure you want to revoke this password? This action
        // cannot be undone." — wp-admin/js/application-passwords.js); here without JavaScript too.
        if (bodyString(req.body, 'confirmed') !== '1') {
          const item = (await host.appPasswords.listAsync(user.id)).find((p) => p.uuid === uuid);
          if (!item) {
            ctx.add_notice('error', 'That application password does not exist (it may have been revoked already).');
            return ctx.redirect(PROFILE);
          }
          return renderPostConfirmation(ctx, {
            title: 'Revoke Application Password',
            message: html`Are you sure you want to revoke the application password <strong>${item.name}</strong>? Anything that signs in with it (${item.last_used === null ? 'never used' : `last used ${when(item.last_used)}`}) stops working at once. This action cannot be undone.`,
            actionUrl: PROFILE,
            nonceAction: `revoke-application-password_${uuid}`,
            fields: { action: 'revoke-application-password', uuid },
            confirmLabel: 'Yes, Revoke',
            cancelUrl: PROFILE,
          });
        }
        try {
          await host.appPasswords.deleteAsync(user.id, uuid);
          ctx.add_notice('success', 'Application password revoked.');
        } catch (error) {
          if (!(error instanceof HookpressError)) throw error;
          ctx.add_notice('error', error.message);
        }
        return ctx.redirect('/wp-admin/network/profile.php');
      }
    }
    const items = await host.appPasswords.listAsync(user.id);
    const revokeForms = items.map(
      (p) => html`<form method="post" action="/wp-admin/network/profile.php" id="revoke-${p.uuid}">${ctx.wp_nonce_field(`revoke-application-password_${p.uuid}`)}<input type="hidden" name="action" value="revoke-application-password"><input type="hidden" name="uuid" value="${p.uuid}"></form>`,
    );
    await ctx.renderHtml(
      html`<h1>Profile</h1>
      <table class="form-table" role="presentation">
        <tr><th scope="row">Username</th><td>${user.login}</td></tr>
        <tr><th scope="row">Email</th><td>${user.email}</td></tr>
      </table>
      <h2 id="application-passwords-section">Application Passwords</h2>
      <p>Application passwords allow authentication via non-interactive systems, such as Zapier or the REST API, without providing your actual password. They can be revoked at any time. Send them as HTTP Basic credentials (your username and the application password), over HTTPS.</p>
      ${created
        ? html`<div class="notice notice-success new-application-password-notice" role="alert">
            <p><label for="new-application-password-value">Your new password for ${created.name} is:</label></p>
            <p><input type="text" id="new-application-password-value" class="code" readonly value="${chunkPassword(created.password)}" size="30"> <button type="button" class="button copy-button" data-core-copy="new-application-password-value" hidden>Copy</button></p>
            <p>Be sure to save this in a safe location. You will not be able to retrieve it.</p>
          </div>`
        : ''}
      <form method="post" action="/wp-admin/network/profile.php" novalidate>
        ${ctx.wp_nonce_field('create-application-password')}
        <input type="hidden" name="action" value="create-application-password">
        <table class="form-table" role="presentation">
          ${formField({ id: 'new_application_password_name', label: 'New Application Password Name', error: errors.new_application_password_name, required: true, description: 'A name you will recognise later, e.g. the integration that uses it.' })}
        </table>
        <p class="submit"><button type="submit" class="button button-secondary">Add New Application Password</button></p>
      </form>
      ${revokeForms}
      <table class="wp-list-table widefat fixed striped application-passwords">
        <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last Used</th><th scope="col">Last IP</th><th scope="col">Revoke</th></tr></thead>
        <tbody>
          ${items.length
            ? items.map(
                (p) => html`<tr><td>${p.name}</td><td>${when(p.created)}</td><td>${when(p.last_used)}</td><td>${p.last_ip ?? '—'}</td>
                  <td><button type="submit" form="revoke-${p.uuid}" class="button delete" aria-label="Revoke “${p.name}”">Revoke</button></td></tr>`,
              )
            : html`<tr class="no-items"><td colspan="5">No application passwords yet.</td></tr>`}
        </tbody>
      </table>
      <input type="hidden" name="wp_rest_nonce" value="${ctx.wp_create_nonce('wp_rest')}">`,
      { title: 'Profile', status: Object.keys(errors).length ? 422 : 200 },
    );
  },
};
