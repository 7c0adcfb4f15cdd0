import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromiumOrSkip } from './browser.js';
import { logIn, startNetwork, type Network } from './network.js';
import { fireEvent } from './storage.js';
import { MAX_NAME_LENGTH, MAX_URL_LENGTH } from '../../plugins/webhooks/model/webhook.js';

describe('e2e: webhook forms report every error at once; test sends count in no figure', function () {
  this.timeout(60_000);
  let browser: Browser;
  let net: Network;

  before(async function () {
    browser = await launchChromiumOrSkip(this);
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    net = await startNetwork();
  });
  afterEach(async () => {
    await net?.close();
  });

  /** Every error of a form submitted with no name, a refused IP literal and no event: next to its field and in the summary. */
  async function expectAllErrorsShown(page: Page): Promise<void> {
    expect(await page.locator('#name-error').textContent()).to.include('at least 2 characters');
    expect(await page.locator('#url-error').textContent()).to.include('Webhooks cannot be sent to 10.0.0.1: it is a private address');
    expect(await page.locator('#event-error').textContent()).to.include('Choose the event');
    const summary = page.locator('#webhook-form-errors');
    expect(await summary.textContent()).to.include('Please correct these 3 errors below.');
    expect(await summary.getByRole('listitem').allTextContents()).to.have.length(3);
    expect(await summary.getByRole('link', { name: 'URL' }).getAttribute('href')).to.equal('#url');
    expect(await page.getByLabel('URL', { exact: true }).inputValue(), 'the input is kept').to.equal('http://10.0.0.1/hook');
    expect(await page.getByLabel('Header name 1').inputValue(), 'the headers too').to.equal('X-Team');
  }

  for (const javaScriptEnabled of [true, false]) {
    const js = `JavaScript ${javaScriptEnabled ? 'on' : 'off'}`;

    it(`Add New and Edit show the name, URL and event errors together; nothing is saved (${js})`, async () => {
      const { hooks, receiver, url } = net;
      const { context, page } = await logIn(browser, url, javaScriptEnabled);
      await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-new`);
      await page.getByLabel('Name', { exact: true }).fill(' ');
      await page.getByLabel('URL', { exact: true }).fill('http://10.0.0.1/hook');
      await page.getByLabel('Header name 1').fill('X-Team');
      await page.getByLabel('Value 1').fill('blue');
      await page.getByRole('button', { name: 'Add New Webhook' }).last().click();
      await page.locator('#webhook-form-errors').waitFor();
      await expectAllErrorsShown(page);
      expect((await hooks.list_webhooks({})).total, 'nothing saved').to.equal(0);

      const hook = await hooks.create_webhook({ name: 'Kept', url: `${receiver.url}/in`, event: 'payment_received' });
      await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-edit&id=${hook.id}`);
      await page.getByLabel('Name', { exact: true }).fill('');
      await page.getByLabel('URL', { exact: true }).fill('http://10.0.0.1/hook');
      await page.getByLabel('Event', { exact: true }).selectOption('');
      await page.getByLabel('Header name 1').fill('X-Team');
      await page.getByRole('button', { name: 'Save Changes' }).click();
      await page.locator('#webhook-form-errors').waitFor();
      await expectAllErrorsShown(page);
      expect(await hooks.get_webhook(hook.id), 'nothing changed').to.include({ name: 'Kept', url: `${receiver.url}/in`, event: 'payment_received' });
      await context.close();
    });

    it(`Name and URL stop taking characters at the limits the server enforces; the cut values are saved (${js})`, async () => {
      const { hooks, receiver, url } = net;
      const { context, page } = await logIn(browser, url, javaScriptEnabled);
      await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-new`);
      const name = page.getByLabel('Name', { exact: true });
      const target = page.getByLabel('URL', { exact: true });
      // Typed key by key past the limit (the name), and pasted past it then typed on (the URL).
      await name.pressSequentially('n'.repeat(MAX_NAME_LENGTH + 5));
      const longUrl = `${receiver.url}/${'u'.repeat(MAX_URL_LENGTH)}`;
      await target.fill(longUrl);
      await target.pressSequentially('vwxyz');
      expect((await name.inputValue()).length).to.equal(MAX_NAME_LENGTH);
      expect(await target.inputValue()).to.equal(longUrl.slice(0, MAX_URL_LENGTH));
      await page.getByLabel('Event', { exact: true }).selectOption('payment_received');
      await page.getByRole('button', { name: 'Add New Webhook' }).last().click();
      await page.locator('.notice-success').waitFor();
      const [saved] = (await hooks.list_webhooks({})).items;
      expect(saved).to.include({ name: 'n'.repeat(MAX_NAME_LENGTH), url: longUrl.slice(0, MAX_URL_LENGTH) });
      await context.close();
    });

    it(`Send Test Event on the list leaves the Deliveries figure unchanged, and the log shows the test (${js})`, async () => {
      const { hooks, receiver, url, webhooks } = net;
      const hook = await hooks.create_webhook({ name: 'Counted', url: `${receiver.url}/in`, event: 'payment_received' });
      await fireEvent(webhooks, 'payment_received', { payment_id: 1 });
      await receiver.waitFor(1);
      await webhooks.worker.idle();
      const { context, page } = await logIn(browser, url, javaScriptEnabled);
      await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks`);
      const figure = page.locator(`td.column-event_count a[href*="webhook_id=${hook.id}"]`);
      expect(await figure.textContent()).to.equal('1');

      await page.getByRole('button', { name: 'Send Test Event' }).click({ force: true });
      if (javaScriptEnabled) {
        const dialog = page.getByRole('dialog');
        await dialog.waitFor();
        expect(await dialog.textContent()).to.include('The endpoint accepted the test event: HTTP 200');
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
        await page.reload();
      } else {
        expect(await page.locator('.notice-success').textContent()).to.include('The endpoint accepted the test event: HTTP 200');
      }
      expect(receiver.requests, 'the test was sent').to.have.length(2);
      expect(await figure.textContent(), 'a test send is not a delivery').to.equal('1');

      // The figure's link lists exactly what it counts; the full log shows the test, badged.
      await figure.click();
      expect(await page.locator('table.deliveries tbody tr').count()).to.equal(1);
      await page.getByRole('link', { name: 'Show test sends too' }).click();
      const rows = page.locator('table.deliveries tbody tr');
      expect(await rows.count()).to.equal(2);
      expect(await rows.first().locator('.badge', { hasText: 'Test' }).count()).to.equal(1);
      await context.close();
    });

    it(`“Any time” and “Show test sends too” keep the webhook and status filters; the test send appears (${js})`, async () => {
      const { hooks, receiver, url, webhooks } = net;
      const hook = await hooks.create_webhook({ name: 'Filtered', url: `${receiver.url}/in`, event: 'payment_received' });
      const other = await hooks.create_webhook({ name: 'Other', url: `${receiver.url}/other`, event: 'payment_received' });
      const since = Date.now() - 3600_000;
      await fireEvent(webhooks, 'payment_received', { payment_id: 1 });
      await receiver.waitFor(2);
      await webhooks.worker.idle();
      expect(await webhooks.send_test_event(hook.id)).to.include({ ok: true });
      const { context, page } = await logIn(browser, url, javaScriptEnabled);
      await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-deliveries&webhook_id=${hook.id}&status=succeeded&attempted_since=${since}&is_test=0`);
      const rows = page.locator('table.deliveries tbody tr');
      expect(await rows.count(), 'the webhook’s one real delivery').to.equal(1);
      const filters = async () => {
        const query = new URL(page.url()).searchParams;
        return { webhook: query.get('webhook_id'), status: query.get('status'), webhookSelect: await page.getByLabel('Webhook', { exact: true }).inputValue(), statusSelect: await page.getByLabel('Status', { exact: true }).inputValue() };
      };
      const kept = { webhook: String(hook.id), status: 'succeeded', webhookSelect: String(hook.id), statusSelect: 'succeeded' };

      await page.getByRole('link', { name: 'Any time' }).click();
      await page.waitForURL((u) => !u.searchParams.has('attempted_since'));
      expect(await filters(), 'Any time').to.deep.equal(kept);
      expect(new URL(page.url()).searchParams.get('is_test'), 'test sends still hidden').to.equal('0');
      expect(await rows.count()).to.equal(1);

      await page.getByRole('link', { name: 'Show test sends too' }).click();
      await page.waitForURL((u) => !u.searchParams.has('is_test'));
      expect(await filters(), 'Show test sends too').to.deep.equal(kept);
      expect(await rows.count(), 'the delivery and the test send, none of the other webhook').to.equal(2);
      expect(await rows.first().locator('.badge', { hasText: 'Test' }).count()).to.equal(1);
      expect(await page.locator('table.deliveries tbody').textContent()).not.to.include(other.name);
      await context.close();
    });
  }
});
