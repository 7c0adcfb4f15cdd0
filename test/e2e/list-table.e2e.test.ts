import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { HookpressApp } from '../../core/app.js';
import type { WebhooksAsyncApi } from '../../plugins/webhooks/api.js';
import { ADMIN_PASSWORD, makeApp } from '../helpers/app.js';
import { Receiver } from '../helpers/receiver.js';
import { PLUGINS_DIR, webhooksApi } from '../helpers/webhooks.js';
import { launchChromiumOrSkip } from './browser.js';
import { offlineLookup } from '../../core/plugin-testkit.js';
import type { LookupFn } from '../../plugins/webhooks/delivery/ssrf-guard.js';

const intranetDns: LookupFn = (hostname, options, callback) =>
  hostname === 'intranet.test' ? queueMicrotask(() => callback(null, [{ address: '10.1.2.3', family: 4 }])) : offlineLookup(hostname, options, callback);

// The user guide's central step, from the list row, as a browser parses the page: a form
// nested in the bulk-actions form is dropped by the HTML parser, so these failed in Chromium
// while every supertest test passed.
describe('e2e: list-table row and bulk actions in Chromium (JavaScript on and off)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let hp: HookpressApp;
  let url: string;
  /** The webhooks API's promise twins: webhooks on either backend. */
  let service: WebhooksAsyncApi;
  let receiver: Receiver;

  before(async function () {
    browser = await launchChromiumOrSkip(this);
    receiver = new Receiver();
    await receiver.start();
    hp = await makeApp({
      port: 0,
      pluginsDir: PLUGINS_DIR,
      pluginSlugs: ['webhooks', 'memberships'],
      // intranet.test resolves (in this test only) to a private address; other names stay offline.
      plugins: { webhooks: { allowNetworks: '127.0.0.0/8', totalTimeoutMs: 3000, deps: { lookup: intranetDns } } },
    });
    url = await hp.start();
    service = webhooksApi(hp).async;
  });
  after(async () => {
    await browser?.close();
    await hp?.close();
    await receiver?.close();
  });

  async function session(js: boolean): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ javaScriptEnabled: js, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${url}/wp-login.php`);
    await page.getByLabel('Username or Email Address').fill('admin');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log In' }).click();
    await page.waitForURL(`${url}/wp-admin/network/`);
    return { context, page };
  }

  async function seed(prefix: string, n: number): Promise<number[]> {
    for (const w of (await service.list_webhooks({ limit: 1000 })).items) await service.delete_webhook(w.id);
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      ids.push((await service.create_webhook({ name: `${prefix} ${i + 1}`, url: `${receiver.url}/${prefix}-${i + 1}`, event: 'payment_received', active: true })).id);
    }
    return ids;
  }
  const actives = async (ids: number[]) => Promise.all(ids.map(async (id) => (await service.get_webhook(id)).active));
  const listUrl = () => `${url}/wp-admin/network/admin.php?page=webhooks`;

  for (const js of [true, false]) {
    const mode = js ? 'with JavaScript' : 'without JavaScript';

    it(`a URL whose host is an IP literal in a blocked range is refused at save, the reason next to the URL field (${mode})`, async () => {
      const { context, page } = await session(js);
      const before = (await service.list_webhooks({})).total;
      await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-new`);
      await page.getByLabel('Name', { exact: true }).fill('Metadata');
      await page.getByLabel('URL', { exact: true }).fill('http://169.254.169.254/latest/meta-data');
      await page.getByLabel('Event', { exact: true }).selectOption('payment_received');
      await page.getByRole('button', { name: 'Add New Webhook' }).click();
      const error = await page.locator('#url-error').textContent();
      expect(error).to.include('169.254.169.254').and.include('link-local');
      expect(await page.getByLabel('URL', { exact: true }).inputValue(), 'the typed URL is kept').to.equal('http://169.254.169.254/latest/meta-data');
      expect((await service.list_webhooks({})).total, 'nothing saved').to.equal(before);
      // The edit screen refuses it too; an allowlisted literal (127.0.0.0/8 here) is accepted.
      const [id] = await seed(`ssrf-${js}`, 1);
      await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-edit&id=${id}`);
      await page.getByLabel('URL', { exact: true }).fill('http://[::ffff:10.0.0.1]/hook');
      await page.getByRole('button', { name: 'Save Changes' }).click();
      expect(await page.locator('#url-error').textContent()).to.include('10.0.0.1');
      expect((await service.get_webhook(id!)).url).to.not.include('10.0.0.1');
      await page.getByLabel('URL', { exact: true }).fill('http://127.0.0.1:9/ok');
      await page.getByRole('button', { name: 'Save Changes' }).click();
      expect(await page.locator('.notice-success').textContent()).to.include('updated');
      await context.close();
    });

    it(`a host NAME that resolves to a blocked range is saved with a warning naming host, address and reason (${mode})`, async () => {
      const { context, page } = await session(js);
      await page.goto(`${url}/wp-admin/network/admin.php?page=webhooks-new`);
      await page.getByLabel('Name', { exact: true }).fill(`Intranet ${js}`);
      await page.getByLabel('URL', { exact: true }).fill('https://intranet.test/hook');
      await page.getByLabel('Event', { exact: true }).selectOption('payment_received');
      await page.getByRole('button', { name: 'Add New Webhook' }).click();
      const warning = page.locator('.notice-warning');
      await warning.waitFor();
      expect(await warning.textContent()).to.include('intranet.test resolves to 10.1.2.3, which is a private address').and.include('WEBHOOKS_ALLOW_NETWORKS');
      expect(await page.locator('.notice-success').textContent()).to.include(`Webhook “Intranet ${js}” added.`);
      const saved = (await service.list_webhooks({ search: `Intranet ${js}` })).items;
      expect(saved.map((w) => w.url), 'the row was saved').to.deep.equal(['https://intranet.test/hook']);
      expect(page.url()).to.include(`page=webhooks-edit&id=${saved[0]!.id}`);
      // Saving again from the edit screen warns again; the row keeps the URL.
      await page.getByRole('button', { name: 'Save Changes' }).click();
      await page.locator('.notice-warning').waitFor();
      expect(await page.locator('.notice-success').textContent()).to.include('updated');
      expect((await service.get_webhook(saved[0]!.id)).url).to.equal('https://intranet.test/hook');
      await context.close();
    });

    it(`Send Test Event on the first, middle and last row (${mode})`, async () => {
      await seed(`row-${js}`, 3);
      const { context, page } = await session(js);
      for (const i of [1, 2, 3]) {
        const name = `row-${js} ${i}`;
        const before = receiver.requests.length;
        await page.goto(listUrl());
        await page.getByRole('button', { name: `Send Test Event “${name}”` }).click({ force: true });
        if (js) {
          const dialog = page.getByRole('dialog');
          await dialog.waitFor();
          expect(await dialog.textContent()).to.include('accepted the test event: HTTP 200');
          await page.keyboard.press('Escape');
        } else {
          expect(await page.locator('.notice-success').textContent()).to.include(`Send Test Event to “${name}”`);
        }
        expect(receiver.requests.length).to.equal(before + 1);
        expect(receiver.requests.at(-1)!.path).to.equal(`/row-${js}-${i}`);
      }
      await context.close();
    });

    for (const where of ['top', 'bottom'] as const) {
      it(`bulk Deactivate, Activate and Delete from the ${where} selector (${mode})`, async () => {
        const ids = await seed(`bulk-${where}-${js}`, 3);
        const { context, page } = await session(js);
        const apply = async (action: string, rows: number[]) => {
          await page.goto(listUrl());
          for (const id of rows) await page.locator(`#cb-webhooks-${id}`).check();
          const bar = page.locator(`.tablenav.${where} .bulkactions`);
          await bar.getByRole('combobox').selectOption(action);
          await bar.getByRole('button', { name: 'Apply' }).click();
          if (action === 'delete') {
            // A bulk delete asks first, as the row's Delete does; nothing is gone until confirmed.
            await page.getByRole('button', { name: 'Yes, Delete Webhooks', exact: true }).waitFor();
            for (const id of rows) expect((await service.get_webhook(id)).id).to.equal(id);
            await page.getByRole('button', { name: 'Yes, Delete Webhooks', exact: true }).click();
          }
          await page.locator('.notice').first().waitFor();
        };
        await apply('deactivate', [ids[0]!, ids[2]!]);
        expect(await page.locator('.notice-success').textContent()).to.include('2 webhooks deactivated');
        expect(await actives(ids)).to.deep.equal([false, true, false]);
        await apply('activate', [ids[0]!]);
        expect(await actives(ids)).to.deep.equal([true, true, false]);
        await apply('delete', [ids[1]!, ids[2]!]);
        expect(await page.locator('.notice-success').textContent()).to.include('2 webhooks deleted');
        expect((await service.list_webhooks({})).items.map((w) => w.id)).to.deep.equal([ids[0]]);
        await context.close();
      });
    }

    it(`Deactivate and Activate row actions (${mode})`, async () => {
      const ids = await seed(`toggle-${js}`, 3);
      const { context, page } = await session(js);
      await page.goto(listUrl());
      await page.getByRole('button', { name: `Deactivate “toggle-${js} 2”` }).click({ force: true });
      expect(await page.locator('.notice-success').textContent()).to.include('deactivated');
      expect((await service.get_webhook(ids[1]!)).active).to.equal(false);
      await page.getByRole('button', { name: `Activate “toggle-${js} 2”` }).click({ force: true });
      expect((await service.get_webhook(ids[1]!)).active).to.equal(true);
      await context.close();
    });
  }
});
