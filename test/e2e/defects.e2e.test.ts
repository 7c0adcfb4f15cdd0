import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { HookpressApp } from '../../core/app.js';
import type { MembershipsService } from '../../plugins/memberships/service.js';
import type { WebhooksAsyncApi } from '../../plugins/webhooks/api.js';
import type { WebhooksService } from '../../plugins/webhooks/service.js';
import { ADMIN_PASSWORD, makeApp } from '../helpers/app.js';
import { Receiver } from '../helpers/receiver.js';
import { sql } from 'kysely';
import { PLUGINS_DIR, webhooksApi, webhooksEngine } from '../helpers/webhooks.js';
import { launchChromiumOrSkip } from './browser.js';
import { fireEvent, sqlRows } from './storage.js';

// Defects found while clicking through (issue #10, item 4), clicked in Chromium with
// JavaScript on and off. Each failed before its fix.
describe('e2e: defects found while clicking through, in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let hp: HookpressApp;
  let url: string;
  let webhooks: WebhooksService;
  /** The webhooks API's promise twins: the test's way into webhooks and deliveries on either backend. */
  let hooks: WebhooksAsyncApi;
  let mb: MembershipsService;
  let receiver: Receiver;

  before(async function () {
    browser = await launchChromiumOrSkip(this);
    receiver = new Receiver();
    await receiver.start();
    hp = await makeApp({
      port: 0,
      pluginsDir: PLUGINS_DIR,
      pluginSlugs: ['webhooks', 'memberships'],
      plugins: { webhooks: { allowNetworks: '127.0.0.0/8', totalTimeoutMs: 3000, autoStart: false } },
    });
    url = await hp.start();
    webhooks = webhooksEngine(hp);
    hooks = webhooksApi(hp).async;
    mb = hp.host.services.get('memberships')!.service as MembershipsService;
  });
  after(async () => {
    await browser?.close();
    await hp?.close();
    await receiver?.close();
  });

  async function session(js: boolean): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ javaScriptEnabled: js, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // Generous: the machine may be busy, and a 1 MB form takes a while to type and send.
    page.setDefaultTimeout(20_000);
    await page.goto(`${url}/wp-login.php`);
    await page.getByLabel('Username or Email Address').fill('admin');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log In' }).click();
    await page.waitForURL(`${url}/wp-admin/network/`);
    return { context, page };
  }
  const errorOf = (page: Page, id: string) => page.locator(`#${id}-error`).textContent();

  for (const js of [true, false]) {
    const mode = js ? 'with JavaScript' : 'without JavaScript';

    it(`Add New Site and Add New User, sent empty, show an error at every field (${mode})`, async () => {
      const { context, page } = await session(js);
      await page.goto(`${url}/wp-admin/network/site-new.php`);
      await page.getByRole('button', { name: 'Add Site' }).click();
      await page.waitForLoadState();
      expect(await errorOf(page, 'slug')).to.equal('Enter a site address.');
      expect(await errorOf(page, 'title')).to.equal('Give the site a title.');
      expect(await errorOf(page, 'admin_email')).to.equal('Enter the admin email address.');
      await page.getByLabel('Site Address (URL)').fill('b'.repeat(64));
      await page.getByRole('button', { name: 'Add Site' }).click();
      await page.waitForLoadState();
      expect(await errorOf(page, 'slug')).to.include('at most 63 characters');
      await page.goto(`${url}/wp-admin/network/user-new.php`);
      await page.getByRole('button', { name: 'Add User' }).click();
      await page.waitForLoadState();
      expect(await errorOf(page, 'user_login')).to.equal('Enter a username.');
      expect(await errorOf(page, 'email')).to.equal('Enter an email address.');
      await page.getByLabel('Username').fill(`spaces-${js}`);
      await page.getByLabel('Email').fill(`spaces-${js}@example.com`);
      await page.getByLabel('Password', { exact: true }).fill('        ');
      await page.getByRole('button', { name: 'Add User' }).click();
      await page.waitForLoadState();
      expect(await errorOf(page, 'pass1')).to.include('at least 8 characters');
      expect(await hp.host.users.find(`spaces-${js}`)).to.equal(undefined);
      await context.close();
    });

    it(`Domain mapping: after a validation error every checkbox comes back as it was typed (${mode})`, async () => {
      const site = await hp.host.sites.createAsync({ slug: `dm-${js}`, title: `DM ${js}`, admin_email: 'dm@example.com' });
      const { context, page } = await session(js);
      await page.goto(`${url}/wp-admin/network/admin.php?page=memberships-domains`);
      await page.getByLabel('Site', { exact: true }).selectOption(String(site.id));
      await page.getByLabel('Domain', { exact: true }).fill('not a domain');
      await page.getByLabel('Primary domain').check();
      await page.getByLabel('Served over HTTPS').uncheck();
      await page.getByRole('button', { name: 'Add New Domain' }).click();
      await page.waitForLoadState();
      expect(await errorOf(page, 'domain')).to.include('Enter a domain name');
      expect(await page.getByLabel('Served over HTTPS').isChecked(), 'HTTPS stays unticked').to.equal(false);
      expect(await page.getByLabel('Primary domain').isChecked(), 'Primary stays ticked').to.equal(true);
      // And the other way round.
      await page.getByLabel('Primary domain').uncheck();
      await page.getByLabel('Served over HTTPS').check();
      await page.getByRole('button', { name: 'Add New Domain' }).click();
      await page.waitForLoadState();
      expect(await page.getByLabel('Served over HTTPS').isChecked()).to.equal(true);
      expect(await page.getByLabel('Primary domain').isChecked()).to.equal(false);
      await context.close();
    });

    it(`Resend on a delivery whose webhook became inactive says why, and keeps the failure record (${mode})`, async () => {
      const hook = await hooks.create_webhook({ name: `Gone ${js}`, url: `${receiver.url}/gone-${js}`, event: 'payment_received' });
      receiver.reply = () => ({ status: 500 });
      await fireEvent(webhooks, 'payment_received', { payment_id: 1 });
      const d = (await hooks.list_deliveries({ webhookId: hook.id })).items[0]!;
      // Exhaust it: one attempt at the limit, failed.
      await sqlRows(hp, sql`UPDATE webhook_deliveries SET max_attempts = 1 WHERE id = ${d.id}`);
      await webhooks.worker.drain();
      receiver.reply = () => ({ status: 200 });
      const failed = (await hooks.get_delivery(d.id)).delivery;
      expect(failed.status).to.equal('failed');
      const { context, page } = await session(js);
      await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-deliveries&delivery=${d.id}`);
      await hooks.update_webhook(hook.id, { active: false }); // from another tab, or the auto-disable
      await page.getByRole('button', { name: 'Resend' }).click();
      await page.waitForLoadState();
      const notice = await page.locator('.notice-error').first().textContent();
      expect(notice).to.include('inactive');
      expect(await page.locator('.notice-success').count()).to.equal(0);
      await webhooks.worker.drain();
      const after = (await hooks.get_delivery(d.id)).delivery;
      expect(after.status).to.equal('failed');
      expect(after.last_error).to.equal(failed.last_error);
      expect(after.attempts).to.equal(failed.attempts);
      // The detail page no longer offers Resend, and says why.
      await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-deliveries&delivery=${d.id}`);
      expect(await page.getByRole('button', { name: 'Resend' }).count()).to.equal(0);
      expect(await page.locator('main').textContent()).to.include('is inactive. Activate it, then resend.');
      await context.close();
    });

    it(`"Mark email verified" clicked in a stale tab says the address is already verified (${mode})`, async () => {
      const { user } = await hp.host.users.create({ login: `stale-${js}`, email: `stale-${js}@example.com`, password: 'password 123' });
      const c = await mb.createCustomer({ user_id: user.id, billing_address: '', verify: true });
      const { context, page } = await session(js);
      await page.goto(`${url}/wp-admin/network/admin.php?page=memberships-customers`);
      await mb.verifyEmail(c.verification_token!);
      await page.getByRole('button', { name: new RegExp(`Mark email verified: stale-${js}`) }).click({ force: true });
      await page.waitForLoadState();
      expect(await page.locator('.notices').textContent()).to.include('already verified');
      expect(await page.locator('.notices').textContent()).to.not.include('Unknown action');
      await context.close();
    });

    it(`Mark as received on a renewal payment extends the membership; Send invoice to an orphaned customer says why (${mode})`, async () => {
      const product = await mb.createProduct({ name: `Plan ${js}`, price_cents: 2900, setup_fee_cents: 0, currency: 'USD', period: 'month' });
      const { user } = await hp.host.users.create({ login: `renew-${js}`, email: `renew-${js}@example.com`, password: 'password 123' });
      const customer = await mb.createCustomer({ user_id: user.id, billing_address: '', verify: false });
      const expires = Date.now() + 2 * 86_400_000;
      const m = await mb.createMembership({ customer_id: customer.id, product_id: product.id, status: 'active', date_expiration: expires });
      await mb.runRenewals();
      const renewal = ((await mb.store.all<{ id: number; membership_id: number; is_renewal: number; reference_code: string }>('mb_payments')).find((p) => p.membership_id === m.id && p.is_renewal))!;
      const { context, page } = await session(js);
      await page.goto(`${url}/wp-admin/network/admin.php?page=memberships-payments`);
      await page.getByRole('button', { name: `Mark as received: ${renewal.reference_code}` }).click({ force: true });
      await page.waitForLoadState();
      expect(await page.locator('.notices').textContent()).to.include('marked as received');
      const after = (await mb.store.get<{ date_expiration: number }>('mb_memberships', m.id))!;
      expect(after.date_expiration).to.be.greaterThan(expires + 27 * 86_400_000);
      await hp.host.users.deleteAsync(user.id);
      await page.goto(`${url}/wp-admin/network/admin.php?page=memberships-payments`);
      await page.getByRole('button', { name: `Send invoice: ${renewal.reference_code}` }).click({ force: true });
      await page.waitForLoadState();
      const notices = await page.locator('.notices').textContent();
      expect(notices).to.include('user account was deleted');
      expect(notices).to.not.include('sent.');
      await context.close();
    });

    it(`&paged=999: the list says the page is empty and its link leads to the last page (${mode})`, async () => {
      for (let i = 0; i < 21; i++) await hooks.create_webhook({ name: `Paged ${js} ${i}`, url: `${receiver.url}/p`, event: 'payment_received' });
      const { context, page } = await session(js);
      await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks&paged=999`);
      expect(await page.getByRole('heading', { name: 'No webhooks yet' }).count()).to.equal(0);
      await page.getByRole('link', { name: /Go to the last page/ }).click();
      await page.waitForLoadState();
      expect(await page.locator('table.webhooks tbody tr').count()).to.be.greaterThan(0);
      await context.close();
    });

    it(`a form over the size limit loses nothing typed (${mode})`, async () => {
      const { context, page } = await session(js);
      await page.goto(`${url}/wp-admin/network/site-new.php`);
      await page.getByLabel('Site Address (URL)').fill(`big-${js}`);
      const big = 'x'.repeat(1_100_000);
      await page.getByLabel('Site Title').fill(big);
      await page.getByRole('button', { name: 'Add Site' }).click();
      if (js) {
        // Refused before sending: the page stays, with a clear message and the input.
        const alert = page.locator('.form-size-error');
        await alert.waitFor();
        expect(await alert.textContent()).to.include('at most 1 MB');
        expect(page.url()).to.equal(`${url}/wp-admin/network/site-new.php`);
      } else {
        await page.waitForLoadState();
        expect(await page.locator('h1').textContent()).to.equal('The form was too large to send');
        expect(await page.locator('main').textContent()).to.include('at most 1 MB').and.include('Nothing was saved');
        await page.goBack();
      }
      expect(await page.getByLabel('Site Address (URL)').inputValue()).to.equal(`big-${js}`);
      expect((await page.getByLabel('Site Title').inputValue()).length).to.equal(big.length);
      expect((await hp.host.sites.listAsync({ search: `big-${js}`, limit: 5, offset: 0 })).total).to.equal(0);
      await context.close();
    });
  }
});
