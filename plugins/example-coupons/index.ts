// The example plugin of docs/plugin-authoring.md. The guide's snippets are the regions
// marked "#region guide:…" below, checked by test/plugins/example-coupons/guide.test.ts.
// #region guide:imports
import type { EventRegistrar, Migration, PageContext, PluginApi, PluginManifest } from '../../core/plugin-sdk.js';
// #endregion

// #region guide:manifest
export const manifest: PluginManifest = {
  name: 'Example: Coupons',
  description: 'The plugin of the plugin author’s guide: redeem coupons, and send each redemption to webhooks.',
  version: '1.0.0',
  author: 'Hookpress',
  // Not active on a fresh install: activate it under Network Admin → Plugins.
  networkActiveByDefault: false,
};
// #endregion

// #region guide:migrations
const migrations: Migration[] = [
  {
    version: 1,
    name: 'coupon redemptions',
    up: (db) =>
      db.exec(`CREATE TABLE example_coupon_redemptions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        code TEXT NOT NULL,
        amount_cents INTEGER NOT NULL,
        redeemed_at INTEGER NOT NULL
      )`),
    // Run by uninstall: drop what `up` created.
    down: (db) => db.exec('DROP TABLE example_coupon_redemptions'),
  },
];
// #endregion

/** The plugin's data layer: its only SQL. */
function redemptions(api: PluginApi) {
  return {
    add: (code: string, amountCents: number) =>
      Number(api.db.prepare('INSERT INTO example_coupon_redemptions (code, amount_cents, redeemed_at) VALUES (?, ?, ?)').run(code, amountCents, api.clock()).lastInsertRowid),
    count: () => (api.db.prepare('SELECT COUNT(*) AS n FROM example_coupon_redemptions').get() as { n: number }).n,
  };
}

export function load(api: PluginApi): void {
  api.migrate(migrations);
  const store = redemptions(api);

  // #region guide:event
  // Register an event type bound to our own action: every do_action('example_coupon_redeemed', …)
  // becomes a `coupon_redeemed` webhook payload.
  api.hooks.add_action('wu_register_all_events', (events: EventRegistrar) => {
    events.wu_register_event_type('coupon_redeemed', {
      name: 'Coupon Redeemed',
      desc: 'A customer redeemed a coupon code.',
      group: 'Example: Coupons',
      source: 'example-coupons',
      payload: { coupon_code: 'WELCOME10', coupon_amount: '$10.00', coupon_amount_raw: 10 },
      hook: {
        action: 'example_coupon_redeemed',
        accepted_args: 2,
        to_payload: (code: string, amountCents: number) => ({
          coupon_code: code,
          coupon_amount: `$${(amountCents / 100).toFixed(2)}`,
          coupon_amount_raw: amountCents / 100,
        }),
      },
    });
  });
  // #endregion

  // #region guide:filter
  // Alter payloads with a filter: add the network's name to our event's payload only.
  api.hooks.add_filter(
    'wu_event_payload',
    (payload: Record<string, unknown>, slug: string) =>
      slug === 'coupon_redeemed' ? { ...payload, network_name: api.options.get_site_option('site_name') } : payload,
    10,
    2,
  );
  // #endregion

  // #region guide:menu
  api.hooks.add_action('network_admin_menu', () => {
    const hook = api.menus.add_menu_page('Coupons', 'Coupons', 'manage_network', 'example-coupons', (ctx: PageContext) => renderPage(ctx, api, store.count()), 'dashicons-money-alt', 40);
    // State changes run before the page renders, on load-{page_hook}, after a nonce and capability check.
    api.hooks.add_action(`load-${hook}`, (ctx: PageContext) => {
      if (ctx.req.method !== 'POST') return;
      if (!ctx.current_user_can('manage_network')) throw new Error('not allowed');
      ctx.check_admin_referer('redeem-coupon');
      const code = api.ui.bodyString(ctx.req.body, 'code').toUpperCase();
      const amount = Math.round(Number(api.ui.bodyString(ctx.req.body, 'amount')) * 100);
      if (!/^[A-Z0-9]{3,20}$/.test(code) || !(amount > 0)) {
        ctx.add_notice('error', 'Enter a code of 3–20 letters or digits and a positive amount.');
        return ctx.redirect(api.urls.admin_page_url('example-coupons'));
      }
      // The row and the webhook event commit together, or neither does.
      api.transaction(() => {
        store.add(code, amount);
        api.hooks.do_action('example_coupon_redeemed', code, amount);
      });
      ctx.add_notice('success', `Coupon ${code} redeemed.`);
      ctx.redirect(api.urls.admin_page_url('example-coupons'));
    });
  });
  // #endregion
}

function renderPage(ctx: PageContext, api: PluginApi, count: number) {
  const { html, formField } = api.ui;
  return ctx.renderHtml(
    html`<h1>Coupons</h1>
    <p>${count} coupon${count === 1 ? '' : 's'} redeemed so far.</p>
    <form method="post" action="${api.urls.admin_page_url('example-coupons')}">
      ${ctx.wp_nonce_field('redeem-coupon')}
      <table class="form-table" role="presentation">
        ${formField({ id: 'code', label: 'Coupon code', required: true })}
        ${formField({ id: 'amount', label: 'Amount', type: 'number', min: 0.01, step: 0.01, required: true, description: 'In dollars, e.g. 19.99.' })}
      </table>
      <p class="submit"><button type="submit" class="button button-primary">Redeem coupon</button></p>
    </form>`,
    { title: 'Coupons' },
  );
}

// #region guide:uninstall
/** Uninstall (Network Admin → Plugins, once deactivated): drop the table the migrations made. */
export function uninstall(api: PluginApi): void {
  api.unmigrate(migrations);
}
// #endregion
