import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { ADMIN_PASSWORD, createTestHost, type TestHost } from '../../core/plugin-testkit.js';
import { sql } from 'kysely';
import { FIXTURE_PLUGINS, HOST_BACKEND } from '../helpers/app.js';
import { freshDatabaseUrl } from '../helpers/backends.js';
import { launchChromiumOrSkip } from './browser.js';
import { sqlRows } from './storage.js';

/** The test kit builds SQLite hosts; on the PostgreSQL pass of `npm test` these run on a fresh schema instead. */
const storage = async () => (HOST_BACKEND === 'postgres' ? { databaseUrl: await freshDatabaseUrl() } : {});

// The plugin authors' building blocks as a user meets them: clicked in Chromium.
describe('e2e: plugin building blocks in Chromium (number field, settings page, uninstall)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let host: TestHost;
  let url: string;

  before(async function () {
    browser = await launchChromiumOrSkip(this);
  });
  after(() => browser?.close());
  afterEach(() => host?.close());

  async function page(javaScript: boolean) {
    const context = await browser.newContext({ javaScriptEnabled: javaScript });
    const p = await context.newPage();
    await p.goto(`${url}/wp-login.php`);
    await p.getByLabel('Username or Email Address').fill('admin');
    await p.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await p.getByRole('button', { name: 'Log In' }).click();
    await p.waitForURL(`${url}/wp-admin/network/`);
    return p;
  }

  for (const javaScript of [true, false]) {
    it(`a coupon of 19.99 is accepted by the browser’s number field and stored as 1999 cents (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      host = await createTestHost({ plugins: ['webhooks', 'example-coupons'], config: { port: 0, ...(await storage()) } });
      url = await host.hp.start();
      const p = await page(javaScript);
      await p.goto(`${url}${host.pageUrl('example-coupons')}`);
      await p.getByLabel('Coupon code').fill('SPRING');
      await p.getByLabel('Amount').fill('19.99');
      expect(await p.getByLabel('Amount').evaluate((el) => (el as HTMLInputElement).validity.valid), 'the browser accepts 19.99').to.equal(true);
      await p.getByRole('button', { name: 'Redeem coupon' }).click();
      await p.getByText('Coupon SPRING redeemed.').waitFor();
      expect(await sqlRows(host.hp, sql`SELECT code, amount_cents FROM example_coupon_redemptions`)).to.deep.equal([{ code: 'SPRING', amount_cents: 1999 }]);
      await p.context().close();
    });
  }

  it('a Settings API page saves what was typed, sanitized (JavaScript off)', async () => {
    host = await createTestHost({ plugins: ['blocks-demo'], pluginsDir: FIXTURE_PLUGINS, config: { port: 0, ...(await storage()) } });
    url = await host.hp.start();
    const p = await page(false);
    await p.goto(`${url}${host.pageUrl('blocks-demo')}`);
    await p.getByLabel('Greeting text').fill('  Good <i>day</i> ');
    await p.getByLabel('Shout it').check();
    await p.getByRole('button', { name: 'Save Changes' }).click();
    await p.getByText('Settings saved.').waitFor();
    expect(await p.getByLabel('Greeting text').inputValue()).to.equal('Good day');
    expect(host.api('blocks-demo').options.get_site_option('blocks_demo_loud')).to.equal(true);
    await p.context().close();
  });

  it('Uninstall on the Plugins screen asks, then drops the plugin’s table (JavaScript off)', async () => {
    host = await createTestHost({ plugins: ['webhooks', 'example-coupons'], config: { port: 0, ...(await storage()) } });
    await host.hp.plugins.deactivate('example-coupons');
    url = await host.hp.start();
    const p = await page(false);
    await p.goto(`${url}/wp-admin/network/plugins.php`);
    await p.getByRole('button', { name: 'Uninstall Example: Coupons' }).click();
    await p.getByText('Are you sure you want to uninstall “Example: Coupons” and delete all of its data?').waitFor();
    await p.getByRole('button', { name: 'Yes, uninstall and delete its data' }).click();
    await p.getByText('Plugin “Example: Coupons” uninstalled: its data was deleted.').waitFor();
    // The table is gone: reading it fails (either backend).
    const read = await sqlRows(host.hp, sql`SELECT 1 FROM example_coupon_redemptions`).then(() => 'read', (e: Error) => e.message);
    expect(read).to.match(/no such table|does not exist/);
    await p.context().close();
  });
});
