import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { HookpressApp } from '../../core/app.js';
import { ADMIN_PASSWORD, makeApp } from '../helpers/app.js';
import { PLUGINS_DIR, webhooksApi } from '../helpers/webhooks.js';
import { launchChromiumOrSkip } from './browser.js';

// Screenshots go to .tmp/ during `npm test`; `npm run screenshots` refreshes docs/screenshots.
const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = process.env.HOOKPRESS_SCREENSHOTS === 'docs' ? path.join(ROOT, 'docs', 'screenshots') : path.join(ROOT, '.tmp', 'screenshots');
fs.mkdirSync(SHOTS, { recursive: true });

async function logIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/wp-login.php`);
  await page.getByLabel('Username or Email Address').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await page.waitForURL(`${url}/wp-admin/network/`);
}

const authStatus = async (url: string, user: string, password: string) =>
  (await fetch(`${url}/wp-json/wu/v2/auth`, { headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } })).status;

describe('e2e: API access screens and custom headers in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let hp: HookpressApp;
  let url: string;

  before(async function () {
    browser = await launchChromiumOrSkip(this);
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    hp = await makeApp({ port: 0, pluginsDir: PLUGINS_DIR, pluginSlugs: ['webhooks'], plugins: { webhooks: { autoStart: false } } });
    url = await hp.start();
  });
  afterEach(async () => {
    await hp.close();
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`Profile: create an application password, use it, revoke it (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1100, height: 800 } });
      const page = await context.newPage();
      await logIn(page, url);
      await page.getByRole('link', { name: 'Edit Profile' }).click();
      await page.waitForURL(`${url}/wp-admin/network/profile.php`);
      await page.getByLabel('New Application Password Name').fill('Zapier');
      await page.getByRole('button', { name: 'Add New Application Password' }).click();
      const shown = await page.getByLabel('Your new password for Zapier is:').inputValue();
      expect(shown).to.match(/^([A-Za-z0-9]{4} ){5}[A-Za-z0-9]{4}$/);
      expect(await page.getByRole('button', { name: 'Copy' }).isVisible()).to.equal(javaScriptEnabled);
      expect(await authStatus(url, 'admin', shown)).to.equal(200);
      await page.goto(`${url}/wp-admin/network/profile.php`);
      expect(await page.locator('table.application-passwords tbody').textContent()).to.include('Zapier').and.include('127.0.0.1');
      if (javaScriptEnabled && process.env.HOOKPRESS_SCREENSHOTS !== 'skip') await page.screenshot({ path: path.join(SHOTS, 'profile-application-passwords.png') });
      await page.getByRole('button', { name: 'Revoke “Zapier”' }).click();
      // It asks first (WordPress's confirm()), with JavaScript off too.
      await page.getByRole('button', { name: 'Yes, Revoke', exact: true }).click();
      await page.waitForURL(`${url}/wp-admin/network/profile.php`);
      expect(await page.getByText('Application password revoked.').isVisible()).to.equal(true);
      expect(await page.locator('table.application-passwords tbody').textContent()).to.include('No application passwords yet.');
      expect(await authStatus(url, 'admin', shown)).to.equal(401);
      await context.close();
    });
  }

  it('Settings → API & Webhooks: Enable API, copy, regenerate', async () => {
    const page = await browser.newPage();
    await logIn(page, url);
    await page.goto(`${url}/wp-admin/network/settings-api.php`);
    const key = await page.getByLabel('API Key', { exact: true }).inputValue();
    const secret = await page.getByLabel('API Secret', { exact: true }).inputValue();
    expect(await authStatus(url, key, secret)).to.equal(403);
    await page.getByLabel('Allow requests authenticated with the API key and secret').check();
    await page.getByRole('button', { name: 'Save Changes' }).click();
    await page.waitForURL(`${url}/wp-admin/network/settings-api.php`);
    expect(hp.host.apiKey.get().enabled).to.equal(true);
    expect(await authStatus(url, key, secret)).to.equal(200);
    expect(await page.getByRole('button', { name: 'Copy' }).first().isVisible()).to.equal(true);
    await page.getByRole('button', { name: 'Regenerate API Key and Secret' }).click();
    expect(hp.host.apiKey.get().key, 'nothing changes before the confirmation').to.equal(key);
    await page.getByRole('button', { name: 'Yes, Regenerate', exact: true }).click();
    await page.waitForURL(`${url}/wp-admin/network/settings-api.php`);
    const newKey = await page.getByLabel('API Key', { exact: true }).inputValue();
    expect(newKey).to.not.equal(key);
    expect(await authStatus(url, key, secret)).to.equal(401);
    expect(await authStatus(url, newKey, await page.getByLabel('API Secret', { exact: true }).inputValue())).to.equal(200);
  });

  it('Add/Edit Webhook: custom headers saved, masked after save, kept when left empty, removed, refused when forbidden', async () => {
    const page = await browser.newPage();
    await logIn(page, url);
    await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-new`);
    await page.getByLabel('Name', { exact: true }).fill('With headers');
    await page.getByLabel('URL', { exact: true }).fill('https://receiver.example/hook');
    await page.getByLabel('Event', { exact: true }).selectOption({ index: 1 });
    await page.getByLabel('Header name 1').fill('Content-Type');
    await page.getByLabel('Value 1', { exact: true }).fill('text/plain');
    await page.getByRole('button', { name: 'Add New Webhook' }).last().click();
    expect(await page.locator('#headers-error').textContent()).to.include('cannot be overridden');
    await page.getByLabel('Header name 1').fill('Authorization');
    await page.getByLabel('Value 1', { exact: true }).fill('Bearer secret-token-1234');
    await page.getByRole('button', { name: 'Add New Webhook' }).last().click();
    await page.waitForURL(/page=webhooks-edit/);
    const webhooks = webhooksApi(hp).async;
    const [w] = (await webhooks.list_webhooks()).items;
    expect(w!.headers).to.deep.equal([{ name: 'Authorization', value: 'Bearer secret-token-1234' }]);
    expect(w!.integration).to.equal('manual');
    expect(await page.content()).to.not.include('secret-token');
    expect(await page.getByLabel('Value 1', { exact: true }).getAttribute('placeholder')).to.include('••••1234');
    await page.getByLabel('Name', { exact: true }).fill('Renamed');
    await page.getByRole('button', { name: 'Save Changes' }).click();
    await page.waitForURL(/page=webhooks-edit/);
    expect((await webhooks.get_webhook(w!.id)).headers).to.deep.equal([{ name: 'Authorization', value: 'Bearer secret-token-1234' }]);
    await page.getByLabel('Remove').check();
    await page.getByRole('button', { name: 'Save Changes' }).click();
    await page.waitForURL(/page=webhooks-edit/);
    expect((await webhooks.get_webhook(w!.id)).headers).to.deep.equal([]);
  });
});
