// The example plugin of docs/plugin-authoring.md. The guide's snippets are the regions
// marked "#region guide:…" below, checked by test/plugins/example-coupons/guide.test.ts.
// #region guide:imports
import type { EventRegistrar, Generated, Kysely, PageContext, PluginApi, PluginManifest, PluginMigration } from '../../core/plugin-sdk.js';
import { withId } from '../../core/plugin-sdk.js';
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
/** The plugin's tables, for typed queries: `PluginApi<CouponTables>` makes `api.db` a `Kysely<CouponTables>`. */
interface CouponTables {
  example_coupon_redemptions: { id: Generated<number>; code: string; amount_cents: number; redeemed_at: number };
}

// Kysely's schema builder: the same migration runs on SQLite and on PostgreSQL.
const migrations: PluginMigration[] = [
  {
    version: 1,
    name: 'coupon redemptions',
    async up(db, dialect) {
      await db.schema
        .createTable('example_coupon_redemptions')
        .$call(withId(dialect))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('amount_cents', 'integer', (c) => c.notNull())
        .addColumn('redeemed_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    // Run by uninstall: drop what `up` created.
    async down(db) {
      await db.schema.dropTable('example_coupon_redemptions').execute();
    },
  },
];
// #endregion

// #region guide:store
/** The plugin's data layer: its only queries. Each takes an executor: `api.db`, or a transaction. */
function redemptions(clock: () => number) {
  return {
    add: async (db: Kysely<CouponTables>, code: string, amountCents: number) =>
      (await db.insertInto('example_coupon_redemptions').values({ code, amount_cents: amountCents, redeemed_at: clock() }).returning('id').executeTakeFirstOrThrow()).id,
    count: async (db: Kysely<CouponTables>) =>
      Number((await db.selectFrom('example_coupon_redemptions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  };
}
// #endregion

export async function load(api: PluginApi<CouponTables>): Promise<void> {
  await api.migrate(migrations);
  const store = redemptions(api.clock);

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
    const hook = api.menus.add_menu_page('Coupons', 'Coupons', 'manage_network', 'example-coupons', async (ctx: PageContext) => renderPage(ctx, api, await store.count(api.db)), 'dashicons-money-alt', 40);
    // State changes run before the page renders, on load-{page_hook}, after a nonce and capability check.
    api.hooks.add_action(`load-${hook}`, async (ctx: PageContext) => {
      if (ctx.req.method !== 'POST') return;
      if (!ctx.current_user_can('manage_network')) throw new Error('not allowed');
      ctx.check_admin_referer('redeem-coupon');
      const code = api.ui.bodyString(ctx.req.body, 'code').toUpperCase();
      const amount = Math.round(Number(api.ui.bodyString(ctx.req.body, 'amount')) * 100);
      if (!/^[A-Z0-9]{3,20}$/.test(code) || !(amount > 0)) {
        ctx.add_notice('error', 'Enter a code of 3–20 letters or digits and a positive amount.');
        return ctx.redirect(api.urls.admin_page_url('example-coupons'));
      }
      // The row and the webhook event commit together, or neither does: the event is fired
      // inside the transaction (pass `trx`, not `api.db`, to the queries in it).
      await api.db.transaction().execute(async (trx) => {
        await store.add(trx, code, amount);
        api.hooks.do_action('example_coupon_redeemed', code, amount);
      });
      ctx.add_notice('success', `Coupon ${code} redeemed.`);
      ctx.redirect(api.urls.admin_page_url('example-coupons'));
    });
  });
  // #endregion
}

function renderPage(ctx: PageContext, api: PluginApi<CouponTables>, count: number) {
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
export async function uninstall(api: PluginApi): Promise<void> {
  await api.unmigrate(migrations);
}
// #endregion
