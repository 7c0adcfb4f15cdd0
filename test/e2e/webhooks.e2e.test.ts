import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { HookpressApp } from '../../core/app.js';
import type { WebhooksAsyncApi } from '../../plugins/webhooks/api.js';
import type { WebhooksService } from '../../plugins/webhooks/service.js';
import { ADMIN_PASSWORD, makeApp } from '../helpers/app.js';
import { Receiver } from '../helpers/receiver.js';
import { PLUGINS_DIR, webhooksApi, webhooksEngine } from '../helpers/webhooks.js';
import { launchChromiumOrSkip } from './browser.js';
import { fireEvent } from './storage.js';

// Screenshots go to an ignored folder during `npm test`; `npm run screenshots` sets
// HOOKPRESS_SCREENSHOTS=docs to refresh the ones README shows, so tests leave git status clean.
const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = process.env.HOOKPRESS_SCREENSHOTS === 'docs'
  ? path.join(ROOT, 'docs', 'screenshots')
  : path.join(ROOT, '.tmp', 'screenshots');
fs.mkdirSync(SHOTS, { recursive: true });

async function startHost(): Promise<{ hp: HookpressApp; url: string; service: WebhooksService; hooks: WebhooksAsyncApi }> {
  const hp = await makeApp({
    port: 0,
    pluginsDir: PLUGINS_DIR,
    pluginSlugs: ['webhooks', 'memberships'],
    plugins: { webhooks: { allowNetworks: '127.0.0.0/8', totalTimeoutMs: 3000 } },
  });
  const url = await hp.start();
  return { hp, url, service: webhooksEngine(hp), hooks: webhooksApi(hp).async };
}

async function logIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/wp-admin/network/`);
  expect(page.url()).to.include('/wp-login.php?redirect_to=');
  await page.getByLabel('Username or Email Address').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await page.waitForURL(`${url}/wp-admin/network/`);
}

const flat = (h: Record<string, string | string[] | undefined>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));

describe('e2e: the user guide’s walkthrough in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let hp: HookpressApp;
  let url: string;
  let service: WebhooksService;
  /** The webhooks API's promise twins: webhooks and deliveries on either backend. */
  let hooks: WebhooksAsyncApi;
  let receiver: Receiver;

  before(async function () {
    browser = await launchChromiumOrSkip(this);
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    ({ hp, url, service, hooks } = await startHost());
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(async () => {
    await hp?.close();
    await receiver?.close();
  });

  it('with JavaScript: add a webhook, send a test event, see real deliveries, deactivate, delete', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, url);
    await page.screenshot({ path: path.join(SHOTS, '01-dashboard.png') });

    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await expect(await page.getByRole('heading', { name: 'No webhooks yet' }).isVisible()).to.equal(true);
    await page.screenshot({ path: path.join(SHOTS, '02-webhooks-empty.png') });
    await page.getByRole('link', { name: 'Add New Webhook' }).first().click();

    await page.getByLabel('Name', { exact: true }).fill('Request bin');
    await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/bin`);
    await page.getByLabel('Event', { exact: true }).selectOption({ label: 'Payment Received (payment_received)' });
    expect(await page.locator('#event-preview-desc').textContent(), 'the preview follows the dropdown').to.include('A customer paid');
    await page.screenshot({ path: path.join(SHOTS, '03-add-new-webhook.png') });
    await page.getByRole('button', { name: 'Add New Webhook' }).click();

    await page.waitForURL(/page=webhooks-edit/);
    expect(await page.locator('.notice-success').textContent()).to.include('Webhook “Request bin” added');
    const webhook = (await hooks.list_webhooks({})).items[0]!;
    expect(webhook).to.include({ active: true, event: 'payment_received' });

    await page.getByText('Reveal secret').click();
    expect(await page.getByLabel('Secret').inputValue()).to.equal(webhook.secret);

    await page.getByRole('button', { name: 'Send Test Event' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const dialogText = await dialog.textContent();
    expect(dialogText, dialogText ?? '').to.include('The endpoint accepted the test event: HTTP 200');
    await page.screenshot({ path: path.join(SHOTS, '04-send-test-event.png') });
    await page.keyboard.press('Escape');
    // Chromium handles Escape as a close request, in a task of its own: wait for the dialog to be closed.
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.textContent), 'focus returns to the button').to.equal('Send Test Event');

    const test = receiver.requests[0]!;
    expect(test.headers['x-hookpress-test']).to.equal('true');
    expect(new StandardWebhook(webhook.secret).verify(test.body, flat(test.headers))).to.include.keys('payment_id', 'customer_id');

    // A real event: the worker delivers it and the log shows it.
    await fireEvent(service, 'payment_received', { payment_id: 99, payment_total: '$10.00' });
    await receiver.waitFor(2);
    await service.worker.idle();
    await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-deliveries`);
    const rows = page.locator('table.deliveries tbody tr');
    expect(await rows.count()).to.equal(2);
    expect(await rows.first().textContent()).to.include('Succeeded').and.not.include('Test');
    expect(await rows.nth(1).textContent()).to.include('Test');
    await page.screenshot({ path: path.join(SHOTS, '05-deliveries.png') });
    await rows.first().getByRole('link').first().click();
    expect(await page.getByRole('heading', { name: /^Delivery msg_/ }).isVisible()).to.equal(true);
    expect(await page.locator('pre').first().textContent()).to.include('"payment_id": 99');
    await page.screenshot({ path: path.join(SHOTS, '06-delivery-detail.png') });

    await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-edit&id=${webhook.id}`);
    // The test send is no delivery: the chart counts only the real one (finding 11).
    expect(await page.locator('.attempts-chart figcaption').textContent()).to.include('Last 7 days: 100% success (1 of 1 attempts).');
    await page.locator('.attempts-chart').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, '12-edit-health.png') });

    await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-events`);
    expect(await page.getByRole('heading', { name: /Payment Received/ }).isVisible()).to.equal(true);
    await page.screenshot({ path: path.join(SHOTS, '07-events.png') });

    // Deactivate from the list: nothing is delivered any more.
    await page.getByRole('link', { name: 'All Webhooks' }).click();
    await page.screenshot({ path: path.join(SHOTS, '08-webhooks-list.png') });
    await page.getByRole('button', { name: 'Deactivate “Request bin”' }).click();
    expect(await page.locator('.notice-success').textContent()).to.include('deactivated');
    const before = (await hooks.list_deliveries({})).total;
    await fireEvent(service, 'payment_received', { payment_id: 100 });
    await service.worker.idle();
    expect((await hooks.list_deliveries({})).total, 'no delivery for an inactive webhook').to.equal(before);
    expect(receiver.requests).to.have.length(2);

    // Delete, through the confirmation page.
    await page.getByRole('link', { name: 'Delete “Request bin”' }).click({ force: true });
    await page.getByRole('button', { name: 'Yes, Delete Webhook' }).click();
    expect(await page.locator('.notice-success').textContent()).to.include('deleted');
    expect(await page.getByRole('heading', { name: 'No webhooks yet' }).isVisible()).to.equal(true);
    await page.close();
  });

  it('without JavaScript: the same core flow, with notices instead of dialogs', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await logIn(page, url);
    await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-new`);
    await page.getByLabel('Name', { exact: true }).fill('x');
    await page.getByLabel('URL', { exact: true }).fill('not a url');
    await page.getByRole('button', { name: 'Add New Webhook' }).click();
    expect(await page.locator('#name-error').textContent()).to.include('at least 2 characters');
    expect(await page.locator('#url-error').textContent()).to.include('absolute URL');
    expect(await page.locator('#event-error').textContent()).to.include('Choose the event');
    expect(await page.getByLabel('URL', { exact: true }).inputValue(), 'values are kept').to.equal('not a url');
    await page.screenshot({ path: path.join(SHOTS, '09-validation-errors.png') });

    await page.getByLabel('Name', { exact: true }).fill('No-JS bin');
    await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/nojs`);
    await page.getByLabel('Event', { exact: true }).selectOption('payment_received');
    await page.getByRole('button', { name: 'Add New Webhook' }).click();
    await page.waitForURL(/page=webhooks-edit/);
    await page.getByRole('button', { name: 'Send Test Event' }).click();
    expect(await page.locator('.notice-success').textContent()).to.include('The endpoint accepted the test event: HTTP 200');
    expect(receiver.requests).to.have.length(1);

    await page.getByRole('link', { name: 'Delete Webhook' }).click();
    await page.getByRole('button', { name: 'Yes, Delete Webhook' }).click();
    expect(await page.locator('.notice-success').textContent()).to.include('deleted');
    await context.close();
  });

  it('with JavaScript: after a failed save the cursor is in the first field to fix', async () => {
    const page = await browser.newPage();
    await logIn(page, url);
    await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-new`);
    await page.getByLabel('Name', { exact: true }).fill('Fine name');
    await page.getByLabel('URL', { exact: true }).fill('not a url');
    await page.getByLabel('Event', { exact: true }).selectOption('payment_received');
    await page.getByRole('button', { name: 'Add New Webhook' }).click();
    await page.locator('#url-error').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('url');
    await page.close();
  });

  it('is operable with the keyboard, with a visible focus', async () => {
    const page = await browser.newPage();
    await logIn(page, url);
    await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-new`);
    await page.getByLabel('Name', { exact: true }).focus();
    await page.keyboard.type('Keyboard hook');
    await page.keyboard.press('Tab');
    await page.keyboard.type(`${receiver.url}/kb`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('event');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).boxShadow);
    expect(outline, 'focused controls show a ring').to.not.equal('none');
    await page.keyboard.press('ArrowDown');
    // Then the custom header rows (name, value) × 2.
    for (const id of ['header_name_0', 'header_value_0', 'header_name_1', 'header_value_1']) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal(id);
    }
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal('Use this URL');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal('Add New Webhook');
    await page.keyboard.press('Enter');
    await page.waitForURL(/page=webhooks-edit/);
    expect((await hooks.list_webhooks({})).total).to.equal(1);
    await page.close();
  });

  it('the walkthrough without leaving the host: Use this URL → Send Test Event → the inspector shows “signature valid”', async () => {
    // A host whose SSRF guard admits no loopback at all: only its own inspector rule applies.
    await hp.close();
    hp = await makeApp({ port: 0, pluginsDir: PLUGINS_DIR, pluginSlugs: ['webhooks', 'memberships'], plugins: { webhooks: {} } });
    url = await hp.start();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, url);
    await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-new`);
    await page.getByLabel('Name', { exact: true }).fill('Inspector walkthrough');
    await page.getByLabel('Event', { exact: true }).selectOption('payment_received');
    await page.getByRole('button', { name: 'Use this URL' }).click();
    const inboxUrl = await page.getByLabel('URL', { exact: true }).inputValue();
    expect(inboxUrl).to.match(new RegExp(`^${url}/webhook-inspector/`));
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).to.equal('Inspector walkthrough');
    await page.getByRole('button', { name: 'Add New Webhook' }).click();
    await page.waitForURL(/page=webhooks-edit/);
    await page.getByRole('button', { name: 'Send Test Event' }).click();
    await page.getByRole('dialog').waitFor();
    expect(await page.getByRole('dialog').textContent()).to.include('accepted the test event: HTTP 200');
    await page.getByRole('link', { name: 'View the delivery' }).click();
    await page.getByRole('link', { name: 'Request Inspector' }).click();
    await page.getByRole('link', { name: '1 request' }).click();
    expect(await page.locator('.attempt h3').first().textContent()).to.include('signature valid');
    await page.screenshot({ path: path.join(SHOTS, '10-request-inspector.png'), fullPage: false });
    await page.goto(`${url}/wp-admin/network/`);
    expect(await page.locator('#webhooks-health').textContent()).to.include('deliveries attempted in the last hour');
    await page.screenshot({ path: path.join(SHOTS, '11-dashboard-health.png') });
    await page.close();
  });
});
