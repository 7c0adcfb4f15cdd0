import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromiumOrSkip } from './browser.js';
import { axeViolations, markupErrors, nestedFormErrors } from './markup.js';
import { ADMIN_PASSWORD } from '../helpers/app.js';
import { adminPages, logIn, seed, startNetwork, type Network } from './network.js';

/** Loads `path`, checks the source as sent (html-validate + nested forms) and the page (axe). */
async function check(page: Page, url: string, path: string, problems: string[]): Promise<void> {
  const res = await page.goto(url + path);
  expect(res, path).to.not.equal(null);
  expect(res!.status(), path).to.be.oneOf([200, 422]);
  await report(page, path, await res!.text(), problems);
}

async function report(page: Page, label: string, source: string, problems: string[]): Promise<void> {
  for (const e of [...(await markupErrors(source)), ...(await axeViolations(page))]) problems.push(`${label}: ${e}`);
}

describe('markup: every admin screen is valid HTML without nested forms, with zero WCAG 2.1 AA violations', function () {
  this.timeout(180_000);
  let browser: Browser;
  let net: Network;
  let page: Page;
  const checked = new Set<string>();
  let seeded: Awaited<ReturnType<typeof seed>> | undefined;

  before(async function () {
    browser = await launchChromiumOrSkip(this);
    net = await startNetwork();
    await net.hp.plugins.activate('example-coupons');
    ({ page } = await logIn(browser, net.url, true));
  });
  after(async () => {
    await browser?.close();
    await net?.close();
    if (checked.size) console.log(`      (${checked.size} page states checked)`);
  });

  it('the nested-form rule catches what the validator’s preset misses', () => {
    expect(nestedFormErrors('<form><table><tr><td><form></form></td></tr></table></form>')).to.have.length(1);
    expect(nestedFormErrors('<div><span><form></form></span></div>')[0]).to.include('<form> inside <span>');
    expect(nestedFormErrors('<table><form></form></table>')[0]).to.include('<form> inside <table>');
    expect(nestedFormErrors('<form></form><table><tr><td><form><input></form></td></tr></table>')).to.deep.equal([]);
    expect(nestedFormErrors('<form><!-- <form> --><script>"<form>"</script></form>')).to.deep.equal([]);
  });

  it('every screen of an empty network', async () => {
    const problems: string[] = [];
    for (const path of await adminPages(net)) {
      await check(page, net.url, path, problems);
      checked.add(`empty ${path}`);
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('every screen of a filled network, with its edit, detail and confirmation views', async () => {
    const s = (seeded = await seed(net, 3, 'mk'));
    const problems: string[] = [];
    const pages = await adminPages(net, s);
    for (const path of pages) {
      await check(page, net.url, path, problems);
      checked.add(`filled ${path}`);
    }
    expect(pages.length).to.be.greaterThan(20);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('every form submitted empty: the validation-error views', async () => {
    const problems: string[] = [];
    let errorViews = 0;
    for (const path of await adminPages(net, seeded)) {
      await page.goto(net.url + path);
      // Forms with fields the server validates (novalidate: the browser leaves it to the server).
      const forms = await page.locator('main form[method=post][novalidate]').count();
      for (let i = 0; i < forms; i++) {
        if (i > 0) await page.goto(net.url + path);
        const form = page.locator('main form[method=post][novalidate]').nth(i);
        for (const input of await form.locator('input[type=text], input[type=email], input[type=url], input[type=number], input[type=password], input[type=date], textarea').all()) {
          if (await input.isEditable()) await input.fill('');
        }
        for (const select of await form.locator('select').all()) await select.selectOption({ index: 0 });
        const primary = form.locator('p.submit [type=submit]');
        const submit = (await primary.count()) ? primary.first() : form.locator('[type=submit]').first();
        const [res] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
          submit.click(),
        ]);
        await page.waitForLoadState();
        if (res.status() !== 422) continue;
        errorViews++;
        checked.add(`errors ${path} #${i}`);
        expect(await page.locator('.field-error, .notice-error').count(), `${path} form ${i} shows its errors`).to.be.greaterThan(0);
        await report(page, `${path} (form ${i} submitted empty)`, await res.text(), problems);
      }
    }
    expect(errorViews, 'validation-error views checked').to.be.greaterThan(8);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('a first-time admin’s expectations: 390 px wide screens fit, row actions show without hover', async () => {
    seeded ??= await seed(net, 3, 'nw');
    const narrow = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
    const small = await narrow.newPage();
    small.setDefaultTimeout(15_000);
    await small.goto(`${net.url}/wp-login.php`);
    await small.getByLabel('Username or Email Address').fill('admin');
    await small.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await small.getByRole('button', { name: 'Log In' }).click();
    await small.waitForURL(`${net.url}/wp-admin/network/`);
    const overflowing: string[] = [];
    for (const path of await adminPages(net, seeded)) {
      await small.goto(net.url + path);
      const width = await small.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) overflowing.push(`${path}: ${width}px`);
    }
    expect(overflowing, `pages wider than a 390 px screen:\n${overflowing.join('\n')}`).to.deep.equal([]);
    // Narrow: row actions always shown (no hover on a phone).
    await small.goto(`${net.url}/wp-admin/network/admin.php?page=webhooks`);
    expect(await small.locator('.row-actions').first().evaluate((el) => getComputedStyle(el).opacity)).to.equal('1');
    await narrow.close();
    // Wide: hidden until hover, shown as soon as one of them has keyboard focus.
    await page.goto(`${net.url}/wp-admin/network/admin.php?page=webhooks`);
    const actions = page.locator('.row-actions').first();
    await page.mouse.move(0, 0);
    expect(await actions.evaluate((el) => getComputedStyle(el).opacity)).to.equal('0');
    await actions.locator('a, button').first().focus();
    expect(await actions.evaluate((el) => getComputedStyle(el).opacity)).to.equal('1');
  });
});
