import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { HookpressApp } from '../../core/app.js';
import { ADMIN_PASSWORD, makeApp } from '../helpers/app.js';
import { PLUGINS_DIR, webhooksApi } from '../helpers/webhooks.js';
import { launchChromiumOrSkip } from './browser.js';

type Box = { x: number; y: number; width: number; height: number; what: string };
const intersects = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Boxes of the form's fields, help texts and fieldsets (left column) and of the right column's boxes. */
async function columns(page: Page): Promise<{ left: Box[]; right: Box[] }> {
  // A string, not a function: tsx would wrap named functions in a helper the page lacks.
  return page.evaluate(`(() => {
    const box = (el, what) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height, what }; };
    const left = [...document.querySelectorAll('#webhook-form input:not([type=hidden]):not(.screen-reader-text), #webhook-form select, #webhook-form .description, #webhook-form fieldset')]
      .filter((el) => el.getBoundingClientRect().width > 0)
      .map((el) => box(el, el.tagName.toLowerCase() + '#' + (el.id || el.className)));
    const right = [...document.querySelectorAll('aside.event-preview, section.postbox')].map((el) => box(el, el.className));
    return { left, right };
  })()`);
}

describe('e2e: Add/Edit Webhook layout, in Chromium (finding 6)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let hp: HookpressApp;
  let url: string;
  let editId: number;

  before(async function () {
    browser = await launchChromiumOrSkip(this);
    hp = await makeApp({ port: 0, pluginsDir: PLUGINS_DIR, pluginSlugs: ['webhooks', 'memberships'], plugins: { webhooks: { autoStart: false } } });
    url = await hp.start();
    editId = (
      await webhooksApi(hp).async.create_webhook({
        name: 'Mailing list',
        url: 'https://hooks.example.com/a/rather/long/path/to/an/endpoint?token=abcdefghijklmnopqrstuvwxyz',
        event: 'payment_received',
        headers: [{ name: 'Authorization', value: 'Bearer sk_live_0123456789abcdef' }],
      })
    ).id;
  });
  after(async () => {
    await browser?.close();
    await hp?.close();
  });

  for (const width of [1280, 1440]) {
    it(`at ${width} px the right column covers no field, help text or fieldset of the form`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(`${url}/wp-login.php`);
      await page.getByLabel('Username or Email Address').fill('admin');
      await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Log In' }).click();
      await page.waitForURL(`${url}/wp-admin/network/`);
      for (const screen of ['webhooks-new', `webhooks-edit&id=${editId}`]) {
        await page.goto(`${url}/wp-admin/network/admin.php?page=${screen}`);
        const { left, right } = await columns(page);
        expect(left.length, screen).to.be.greaterThan(3);
        expect(right.length, screen).to.be.greaterThan(0);
        const overlaps = left.flatMap((l) => right.filter((r) => intersects(l, r)).map((r) => `${l.what} under ${r.what}`));
        expect(overlaps, `${screen} at ${width}px`).to.deep.equal([]);
        // Nor does the page scroll sideways.
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), screen).to.equal(true);
      }
      await context.close();
    });
  }
});
