import { expect } from 'chai';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Customer, Membership, Payment } from '../../plugins/memberships/data/store.js';
import { launchChromiumOrSkip } from './browser.js';
import { enumerateControls, screenKey } from './controls.js';
import { fireEvent } from './storage.js';
import { runInUnitOfWork } from '../../core/http/unit-of-work.js';
import { adminPages, logIn, seed, startNetwork, type Network, type Seeded } from './network.js';

/*
 * Every control of every admin screen, clicked in Chromium with JavaScript on and again off.
 * CONTROLS is the table: screen → control → what must change (in the data and on the page).
 * The last test enumerates the controls of every rendered page and fails on one without a
 * row here — a new screen or button cannot ship unclicked. How to add a row: README,
 * "Browser and markup tests".
 */

const NET = '/wp-admin/network/';
const page_ = (slug: string, params = '') => `${NET}admin.php?page=${slug}${params}`;

/** What a row's `run` gets. */
interface T {
  page: Page;
  net: Network;
  js: boolean;
  /** A unique tag for names this run creates. */
  tag: string;
  go(path: string): Promise<void>;
  /** The success notice's text (fails when there is none). */
  success(): Promise<string>;
}

interface ControlRow {
  screen: string;
  control: string;
  /** Which modes click it: JS-only controls (Copy, Select all, dialogs) are checked hidden without JS. */
  modes?: 'both' | 'js';
  run: (t: T) => Promise<void>;
}

// ---------- helpers shared by the rows ----------

/** The table rows that offer `label` as a row action, and the record id each one shows. */
async function rowsWith(page: Page, label: string): Promise<Array<{ id: number; control: Locator }>> {
  const out: Array<{ id: number; control: Locator }> = [];
  const rows = page.locator('table.wp-list-table tbody tr');
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    const control = row.locator('.row-actions').getByText(label, { exact: true });
    if (!(await control.count())) continue;
    const id = Number(/-row-(\d+)$/.exec((await row.getAttribute('id')) ?? '')?.[1]);
    out.push({ id, control: control.first() });
  }
  return out;
}

/**
 * Clicks row action `label` on the first, middle and last row offering it (re-reading the page
 * each time, since the action changes it), then `confirm` on a confirmation page if given, and
 * checks `effect` on the record of that row.
 */
async function eachRow(t: T, path: string, label: string, effect: (id: number) => unknown, confirm?: string): Promise<void> {
  await t.go(path);
  const n = (await rowsWith(t.page, label)).length;
  expect(n, `rows offering “${label}” on ${path}`).to.be.at.least(3);
  for (const pick of ['first', 'middle', 'last'] as const) {
    await t.go(path);
    const rows = await rowsWith(t.page, label);
    const target = pick === 'first' ? rows[0]! : pick === 'last' ? rows.at(-1)! : rows[Math.floor(rows.length / 2)]!;
    await target.control.click({ force: true });
    if (confirm) await t.page.getByRole('button', { name: confirm }).click();
    await t.page.waitForLoadState();
    expect(await t.success(), `${label} on the ${pick} row`).to.not.equal('');
    await effect(target.id);
  }
}

/** Checks the boxes of the first and last rows, applies `option` from the `where` selector; returns the ids. */
/** A bulk action that must ask first: the confirmation's button, and a check that nothing changed yet. */
interface MustConfirm {
  label: string;
  unchanged: (t: T, ids: number[]) => unknown;
}

async function bulk(t: T, path: string, where: 'top' | 'bottom', option: string, mustConfirm?: MustConfirm): Promise<number[]> {
  await t.go(path);
  const boxes = t.page.locator('table.wp-list-table tbody input[type=checkbox]');
  const count = await boxes.count();
  expect(count, `rows on ${path}`).to.be.at.least(2);
  const picked = [boxes.first(), boxes.nth(count - 1)];
  const ids: number[] = [];
  for (const box of picked) {
    await box.check();
    ids.push(Number(await box.getAttribute('value')));
  }
  const bar = t.page.locator(`.tablenav.${where} .bulkactions`);
  await bar.locator('select').selectOption({ label: option });
  await bar.getByRole('button', { name: 'Apply' }).click();
  await t.page.waitForLoadState();
  if (mustConfirm) {
    const yes = t.page.getByRole('button', { name: mustConfirm.label, exact: true });
    expect(await yes.count(), `a confirmation page with “${mustConfirm.label}”`).to.equal(1);
    await mustConfirm.unchanged(t, ids);
    await yes.click();
    await t.page.waitForLoadState();
    return ids;
  }
  // A delete whose rows leave something behind asks first, with the warnings (confirmed=1).
  const confirm = t.page.locator('main form:has(input[name=confirmed]) button[type=submit]');
  if (await confirm.count()) await confirm.first().click();
  return ids;
}

/** Fills labelled fields (text or select by label) and presses `submit`. */
async function submitForm(t: T, fields: Record<string, string>, submit: string, scope?: Locator): Promise<void> {
  const root = scope ?? t.page.locator('main');
  for (const [label, value] of Object.entries(fields)) {
    const field = root.getByLabel(label, { exact: true });
    if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value.startsWith('label:') ? { label: value.slice(6) } : value);
    else await field.fill(value);
  }
  await root.getByRole('button', { name: submit, exact: true }).click();
  await t.page.waitForLoadState();
}

/**
 * "Cancel" on a confirmation page: opened from `from` by the first link named `opener`, it
 * returns to exactly that screen and changes nothing (`unchanged` checks the data).
 */
function cancelRow(screen: string, from: (t: T) => string, opener: string, prepare: (t: T) => Promise<() => unknown>): ControlRow {
  return {
    screen,
    control: 'link: Cancel',
    run: async (t) => {
      const unchanged = await prepare(t);
      const path = from(t);
      await t.go(path);
      await t.page.getByRole('link', { name: opener }).or(t.page.getByRole('link', { name: new RegExp(`^${opener}[ :]`) })).first().click({ force: true });
      expect(await t.page.locator('main form[method=post]').count(), 'a confirmation page').to.be.greaterThan(0);
      await t.page.locator('main').getByRole('link', { name: 'Cancel', exact: true }).click();
      await t.page.waitForLoadState();
      expect(t.page.url()).to.equal(t.net.url + path);
      await unchanged();
    },
  };
}

/** A JS-only control: with JavaScript it works (`run`); without, it must not be shown at all. */
async function jsOnly(t: T, locator: Locator, run: () => Promise<void>): Promise<void> {
  if (!t.js) {
    expect(await locator.first().isVisible(), 'hidden without JavaScript (it could not work)').to.equal(false);
    return;
  }
  await run();
}

/** Clicks a Copy button and returns what reached the clipboard (waits for the button to say so). */
async function copyVia(t: T, button: Locator): Promise<string> {
  await button.click();
  await button.evaluate((b) => new Promise<void>((resolve) => {
    // The label changes once the asynchronous clipboard write settled.
    if (b.textContent !== 'Copy') return resolve();
    new MutationObserver((_, o) => (o.disconnect(), resolve())).observe(b, { childList: true, characterData: true, subtree: true });
  }));
  expect(await button.textContent()).to.equal('Copied!');
  return t.page.evaluate(() => navigator.clipboard.readText());
}

/** A memberships row, as stored (either backend). */
const mbGet = async <R>(t: T, table: string, id: number) => t.net.mb.store.get<R>(table as Parameters<Network['mb']['store']['get']>[0], id);

/** Whether webhook `id` is gone: get_webhook rejects with WEBHOOK_NOT_FOUND. */
async function expectWebhookGone(t: T, id: number): Promise<void> {
  const error = await t.net.hooks.get_webhook(id).then(() => undefined, (e: unknown) => e);
  expect((error as { code?: string } | undefined)?.code, `webhook ${id} is deleted`).to.equal('WEBHOOK_NOT_FOUND');
}

/** Checks `check` for each id in turn (effects of bulk actions). */
async function forEachId(ids: number[], check: (id: number) => Promise<unknown>): Promise<void> {
  for (const id of ids) await check(id);
}

const hookOf = (t: T, id: number) => t.net.hooks.get_webhook(id);
const inboxes = (t: T) => t.net.webhooks.inspector.store.inboxesAsync();
const newInbox = (t: T) => t.net.webhooks.inspector.createInboxAsync(null);

// ---------- fresh rows, so every action has a first, middle and last row to act on ----------

async function freshWebhooks(t: T, n = 3, active = true): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 1; i <= n; i++) ids.push((await t.net.hooks.create_webhook({ name: `${t.tag} hook ${i}`, url: `${t.net.receiver.url}/${t.tag}-${i}`, event: 'payment_received', active })).id);
  return ids;
}

async function freshNetwork(t: T): Promise<Seeded> {
  return seed(t.net, 3, t.tag);
}

// ---------- the table ----------

const list = page_('webhooks');
const bulkRows = (screen: string, path: string | ((t: T) => string), option: string, prepare: (t: T) => Promise<unknown>, effect: (t: T, ids: number[]) => unknown, mustConfirm?: MustConfirm): ControlRow[] =>
  (['top', 'bottom'] as const).map((where) => ({
    screen,
    control: `bulk-${where}: ${option}`,
    run: async (t) => {
      await prepare(t);
      const ids = await bulk(t, typeof path === 'string' ? path : path(t), where, option, mustConfirm);
      expect(await t.success()).to.not.equal('');
      await effect(t, ids);
    },
  }));

const selectAll = (screen: string, path: string, prepare: (t: T) => Promise<unknown>): ControlRow => ({
  screen,
  control: 'select-all: Select all',
  modes: 'js',
  run: async (t) => {
    await prepare(t);
    await t.go(path);
    const all = t.page.locator('[data-select-all]');
    await jsOnly(t, all, async () => {
      await all.check();
      const boxes = t.page.locator('table.wp-list-table tbody input[type=checkbox]');
      for (const box of await boxes.all()) expect(await box.isChecked()).to.equal(true);
      await all.uncheck();
      for (const box of await boxes.all()) expect(await box.isChecked()).to.equal(false);
    });
  },
});

const search = (screen: string, path: string, label: string, prepare: (t: T) => Promise<string>): ControlRow => ({
  screen,
  control: `button: ${label}`,
  run: async (t) => {
    const needle = await prepare(t);
    await t.go(path);
    await t.page.getByRole('searchbox').fill(needle);
    await t.page.getByRole('button', { name: label }).click();
    await t.page.waitForLoadState();
    const rows = t.page.locator('table.wp-list-table tbody tr');
    expect(await rows.count()).to.be.greaterThan(0);
    for (const row of await rows.all()) expect((await row.textContent())!.toLowerCase()).to.include(needle.toLowerCase());
  },
});

const applyNothing = (screen: string, path: string, prepare: (t: T) => Promise<unknown>): ControlRow => ({
  screen,
  control: 'button: Apply',
  run: async (t) => {
    await prepare(t);
    await t.go(path);
    await t.page.locator('table.wp-list-table tbody input[type=checkbox]').first().check();
    await t.page.locator('.tablenav.top .bulkactions').getByRole('button', { name: 'Apply' }).click();
    await t.page.waitForLoadState();
    expect(await t.page.locator('.notice-error').textContent()).to.include('Choose a bulk action');
  },
});

/** Send Test Event (list row or edit screen): a dialog with JavaScript, a notice without. */
async function expectTestSent(t: T, before: number): Promise<void> {
  if (t.js) {
    const dialog = t.page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).to.include('accepted the test event: HTTP 200');
    await t.page.keyboard.press('Escape');
  } else {
    expect(await t.success()).to.include('accepted the test event: HTTP 200');
  }
  expect(t.net.receiver.requests.length).to.equal(before + 1);
}

const CONTROLS: ControlRow[] = [
  // ----- Sites
  {
    screen: 'sites.php',
    control: 'row: Delete',
    run: async (t) => {
      await freshNetwork(t);
      await eachRow(t, `${NET}sites.php?s=${t.tag}`, 'Delete', async (id) => expect(await t.net.hp.host.sites.getAsync(id)).to.equal(undefined), 'Yes, delete this site');
    },
  },
  { screen: 'sites.php:confirm-delete', control: 'button: Yes, delete this site', run: async (t) => {
    const s = await freshNetwork(t);
    await t.go(`${NET}sites.php?action=confirm-delete&id=${s.sites[1]}`);
    await t.page.getByRole('button', { name: 'Yes, delete this site' }).click();
    expect(await t.success()).to.include('Site deleted');
    expect(await t.net.hp.host.sites.getAsync(s.sites[1]!)).to.equal(undefined);
  } },
  cancelRow('sites.php:confirm-delete', (t) => `${NET}sites.php?s=${t.tag}`, 'Delete', async (t) => {
    const s = await freshNetwork(t);
    return () => forEachId(s.sites, async (id) => expect(await t.net.hp.host.sites.getAsync(id)).to.not.equal(undefined));
  }),
  ...bulkRows('sites.php', (t) => `${NET}sites.php?s=${t.tag}`, 'Delete', freshNetwork, (t, ids) => forEachId(ids, async (id) => expect(await t.net.hp.host.sites.getAsync(id)).to.equal(undefined))),
  applyNothing('sites.php', `${NET}sites.php`, freshNetwork),
  search('sites.php', `${NET}sites.php`, 'Search Sites', async (t) => (await freshNetwork(t), `${t.tag}-site-2`)),
  selectAll('sites.php', `${NET}sites.php`, freshNetwork),
  {
    screen: 'site-new.php',
    control: 'button: Add Site',
    run: async (t) => {
      await t.go(`${NET}site-new.php`);
      await submitForm(t, { 'Site Address (URL)': `${t.tag}-new`, 'Site Title': `${t.tag} New`, 'Admin Email': 'new@example.com' }, 'Add Site');
      expect(await t.success()).to.include('added');
      expect((await t.net.hp.host.sites.listAsync({ search: `${t.tag}-new`, limit: 5, offset: 0 })).total).to.equal(1);
    },
  },
  // ----- Users
  {
    screen: 'users.php',
    control: 'row: Delete',
    run: async (t) => {
      await freshNetwork(t);
      await eachRow(t, `${NET}users.php?s=${t.tag}`, 'Delete', async (id) => expect(await t.net.hp.host.users.getAsync(id)).to.equal(undefined), 'Confirm Deletion');
    },
  },
  { screen: 'users.php:confirm-delete', control: 'button: Confirm Deletion', run: async (t) => {
    const s = await freshNetwork(t);
    await t.go(`${NET}users.php?action=confirm-delete&id=${s.users[2]}`);
    await t.page.getByRole('button', { name: 'Confirm Deletion' }).click();
    expect(await t.success()).to.include('User deleted');
    expect(await t.net.hp.host.users.getAsync(s.users[2]!)).to.equal(undefined);
  } },
  cancelRow('users.php:confirm-delete', (t) => `${NET}users.php?s=${t.tag}user`, 'Delete', async (t) => {
    const s = await freshNetwork(t);
    return () => forEachId(s.users, async (id) => expect(await t.net.hp.host.users.getAsync(id)).to.not.equal(undefined));
  }),
  ...bulkRows('users.php', (t) => `${NET}users.php?s=${t.tag}user`, 'Delete', freshNetwork, (t, ids) => forEachId(ids, async (id) => expect(await t.net.hp.host.users.getAsync(id)).to.equal(undefined))),
  ...bulkRows('users.php', (t) => `${NET}users.php?s=${t.tag}user`, 'Grant Super Admin', freshNetwork, (t, ids) => forEachId(ids, async (id) => expect(await t.net.hp.host.users.isSuperAdmin(id)).to.equal(true))),
  ...bulkRows(
    'users.php',
    (t) => `${NET}users.php?s=${t.tag}user`,
    'Remove Super Admin',
    async (t) => {
      const s = await freshNetwork(t);
      // As one caller (a request): resolved once the network option is stored.
      for (const id of s.users) await runInUnitOfWork(() => t.net.hp.host.users.grantSuperAdmin(id));
      return s;
    },
    (t, ids) => forEachId(ids, async (id) => expect(await t.net.hp.host.users.isSuperAdmin(id)).to.equal(false)),
  ),
  applyNothing('users.php', `${NET}users.php`, freshNetwork),
  search('users.php', `${NET}users.php`, 'Search Users', async (t) => (await freshNetwork(t), `${t.tag}user2`)),
  selectAll('users.php', `${NET}users.php`, freshNetwork),
  {
    screen: 'user-new.php',
    control: 'button: Add User',
    run: async (t) => {
      await t.go(`${NET}user-new.php`);
      await t.page.getByLabel('Username', { exact: true }).fill(`${t.tag}new`);
      await t.page.getByLabel('Email', { exact: true }).fill(`${t.tag}new@example.com`);
      await t.page.locator('main').getByRole('button', { name: 'Add User' }).click();
      await t.page.waitForLoadState();
      expect(await t.success()).to.include(`${t.tag}new`);
      expect((await t.net.hp.host.users.listAsync({ search: `${t.tag}new`, limit: 5, offset: 0 })).total).to.equal(1);
    },
  },
  // ----- Plugins, cron, settings
  {
    screen: 'plugins.php',
    control: 'button: Network Deactivate',
    run: async (t) => {
      await t.go(`${NET}plugins.php`);
      await t.page.getByRole('button', { name: 'Network Deactivate Example: Coupons' }).click();
      expect(await t.success()).to.include('network deactivated');
      expect(t.net.hp.host.menu.entries().some((m) => m.menuTitle === 'Coupons')).to.equal(false);
      await t.page.getByRole('button', { name: 'Network Activate Example: Coupons' }).click();
      expect(await t.success()).to.include('activated');
    },
  },
  {
    screen: 'plugins.php',
    control: 'button: Network Activate',
    run: async (t) => {
      await t.net.hp.plugins.deactivate('example-coupons');
      await t.go(`${NET}plugins.php`);
      await t.page.getByRole('button', { name: 'Network Activate Example: Coupons' }).click();
      expect(await t.success()).to.include('activated');
      await t.go(`${NET}index.php`);
      expect(await t.page.locator('#adminmenu').getByRole('link', { name: 'Coupons' }).count()).to.equal(1);
    },
  },
  {
    screen: 'cron.php',
    control: 'button: Run now',
    run: async (t) => {
      let ran = 0;
      const hook = `e2e_tick_${t.tag.replace(/\W/g, '_')}`;
      t.net.hp.host.hooks.add_action(hook, () => void ran++);
      t.net.hp.host.cron.wp_schedule_event(Math.floor(Date.now() / 1000) + 3600, 'hourly', hook);
      await t.net.hp.host.cron.flush();
      await t.go(`${NET}cron.php`);
      await t.page.getByRole('button', { name: `Run now: ${hook}` }).click();
      expect(await t.success()).to.include(`Ran “${hook}” now`);
      expect(ran).to.equal(1);
    },
  },
  {
    screen: 'settings.php',
    control: 'button: Save Changes',
    run: async (t) => {
      await t.go(`${NET}settings.php`);
      await submitForm(t, { 'Network Title': `${t.tag} Network` }, 'Save Changes');
      expect(await t.success()).to.include('Settings saved');
      expect(t.net.hp.host.options.get_site_option('site_name')).to.equal(`${t.tag} Network`);
      expect(await t.page.locator('#wpadminbar').textContent()).to.include(`${t.tag} Network`);
    },
  },
  // ----- Profile (application passwords) and API settings
  {
    screen: 'profile.php',
    control: 'button: Add New Application Password',
    run: async (t) => {
      await t.go(`${NET}profile.php`);
      await submitForm(t, { 'New Application Password Name': `${t.tag} app` }, 'Add New Application Password');
      const shown = (await t.page.getByLabel(/Your new password for/).inputValue()).replace(/\s/g, '');
      expect(shown).to.have.length.greaterThan(20);
      expect((await t.net.hp.host.appPasswords.listAsync(1)).some((p) => p.name === `${t.tag} app`)).to.equal(true);
    },
  },
  {
    screen: 'profile.php',
    control: 'copy: Copy',
    modes: 'js',
    run: async (t) => {
      await t.go(`${NET}profile.php`);
      await submitForm(t, { 'New Application Password Name': `${t.tag} app` }, 'Add New Application Password');
      const copy = t.page.locator('[data-core-copy]');
      await jsOnly(t, copy, async () => {
        expect(await copyVia(t, copy.first())).to.equal(await t.page.getByLabel(/Your new password for/).inputValue());
      });
    },
  },
  {
    screen: 'profile.php',
    control: 'button: Revoke',
    run: async (t) => {
      await t.net.hp.host.appPasswords.createAsync(1, `${t.tag} revoke`);
      await t.go(`${NET}profile.php`);
      await t.page.getByRole('button', { name: `Revoke “${t.tag} revoke”` }).click();
      // Asks first (WordPress's confirm()), without JavaScript too: nothing revoked yet.
      await t.page.waitForLoadState();
      expect((await t.net.hp.host.appPasswords.listAsync(1)).some((p) => p.name === `${t.tag} revoke`)).to.equal(true);
      await t.page.getByRole('button', { name: 'Yes, Revoke', exact: true }).click();
      expect(await t.success()).to.include('revoked');
      expect((await t.net.hp.host.appPasswords.listAsync(1)).some((p) => p.name === `${t.tag} revoke`)).to.equal(false);
    },
  },
  {
    screen: 'settings-api.php',
    control: 'button: Save Changes',
    run: async (t) => {
      const was = t.net.hp.host.apiKey.get().enabled;
      await t.go(`${NET}settings-api.php`);
      await t.page.getByLabel(/Allow requests authenticated/).setChecked(!was);
      await t.page.getByRole('button', { name: 'Save Changes' }).click();
      expect(await t.success()).to.include('Settings saved');
      expect(t.net.hp.host.apiKey.get().enabled).to.equal(!was);
    },
  },
  {
    screen: 'settings-api.php',
    control: 'button: Regenerate API Key and Secret',
    run: async (t) => {
      const before = t.net.hp.host.apiKey.get().key;
      await t.go(`${NET}settings-api.php`);
      await t.page.getByRole('button', { name: 'Regenerate API Key and Secret' }).click();
      // Every integration breaks at once: it asks first, and nothing changed yet.
      await t.page.waitForLoadState();
      expect(t.net.hp.host.apiKey.get().key).to.equal(before);
      await t.page.getByRole('button', { name: 'Yes, Regenerate', exact: true }).click();
      expect(await t.success()).to.include('new API key');
      const after = t.net.hp.host.apiKey.get().key;
      expect(after).to.not.equal(before);
      expect(await t.page.getByLabel('API Key', { exact: true }).inputValue()).to.equal(after);
    },
  },
  {
    screen: 'settings-api.php',
    control: 'copy: Copy',
    modes: 'js',
    run: async (t) => {
      await t.go(`${NET}settings-api.php`);
      const copy = t.page.locator('[data-core-copy]');
      await jsOnly(t, copy, async () => {
        expect(await copyVia(t, copy.first())).to.equal(t.net.hp.host.apiKey.get().key);
      });
    },
  },
  // ----- Memberships
  {
    screen: 'memberships-memberships',
    control: 'row: Cancel',
    run: async (t) => {
      await freshNetwork(t);
      await eachRow(t, page_('memberships-memberships'), 'Cancel', async (id) => expect((await mbGet<Membership>(t, 'mb_memberships', id))!.status).to.equal('cancelled'), 'Yes, Cancel Membership');
    },
  },
  {
    screen: 'memberships-memberships:confirm-cancel',
    control: 'button: Yes, Cancel Membership',
    run: async (t) => {
      const s = await freshNetwork(t);
      await t.go(page_('memberships-memberships', `&confirm=cancel&row_id=${s.memberships[1]}`));
      await t.page.getByRole('button', { name: 'Yes, Cancel Membership' }).click();
      expect(await t.success()).to.not.equal('');
      expect((await mbGet<Membership>(t, 'mb_memberships', s.memberships[1]!))!.status).to.equal('cancelled');
    },
  },
  cancelRow('memberships-memberships:confirm-cancel', () => page_('memberships-memberships'), 'Cancel', async (t) => {
    const s = await freshNetwork(t);
    return async () => expect((await mbGet<Membership>(t, 'mb_memberships', s.memberships[2]!))!.status).to.equal('active');
  }),
  {
    screen: 'memberships-memberships',
    control: 'row: Activate',
    run: async (t) => {
      const s = await freshNetwork(t);
      for (const id of s.memberships) await t.net.mb.updateMembership(id, { status: 'cancelled' });
      await eachRow(t, page_('memberships-memberships'), 'Activate', async (id) => expect((await mbGet<Membership>(t, 'mb_memberships', id))!.status).to.equal('active'));
    },
  },
  {
    screen: 'memberships-memberships',
    control: 'row: Extend 1 month',
    run: async (t) => {
      await freshNetwork(t);
      const before = new Map((await t.net.mb.store.all<Membership>('mb_memberships')).map((m) => [m.id, m.date_expiration ?? 0]));
      await eachRow(t, page_('memberships-memberships'), 'Extend 1 month', async (id) =>
        expect((await mbGet<Membership>(t, 'mb_memberships', id))!.date_expiration! - before.get(id)!).to.be.at.least(29 * 86_400_000),
      );
    },
  },
  {
    screen: 'memberships-memberships',
    control: 'button: Add New Membership',
    run: async (t) => {
      const s = await freshNetwork(t);
      const before = (await t.net.mb.store.all<Membership>('mb_memberships')).length;
      await t.go(page_('memberships-memberships'));
      const box = t.page.locator('section', { hasText: 'Add New Membership' });
      await submitForm(t, { Customer: String(s.customers[0]), Product: String(s.products[1]) }, 'Add New Membership', box);
      expect(await t.success()).to.not.equal('');
      expect((await t.net.mb.store.all<Membership>('mb_memberships')).length).to.equal(before + 1);
    },
  },
  {
    screen: 'memberships-memberships',
    control: 'button: Publish Site',
    run: async (t) => {
      const s = await freshNetwork(t);
      await t.go(page_('memberships-memberships'));
      const box = t.page.locator('section', { hasText: 'Publish' });
      await submitForm(t, { Membership: String(s.memberships[0]), 'Site address': `${t.tag}-pub`, 'Site title': `${t.tag} Pub` }, 'Publish Site', box);
      expect(await t.success()).to.not.equal('');
      expect((await t.net.hp.host.sites.listAsync({ search: `${t.tag}-pub`, limit: 5, offset: 0 })).total).to.equal(1);
    },
  },
  {
    screen: 'memberships-customers',
    control: 'row: Mark email verified',
    run: async (t) => {
      await freshNetwork(t);
      await eachRow(t, page_('memberships-customers'), 'Mark email verified', async (id) => expect((await mbGet<Customer>(t, 'mb_customers', id))!.email_verification).to.equal('verified'));
    },
  },
  {
    screen: 'memberships-customers',
    control: 'button: Add New Customer',
    run: async (t) => {
      const { user } = await t.net.hp.host.users.create({ login: `${t.tag}cust`, email: `${t.tag}cust@example.com`, display_name: `${t.tag} Cust`, password: 'password 123' });
      await t.go(page_('memberships-customers'));
      await submitForm(t, { User: String(user.id), 'Billing address': '1 Road' }, 'Add New Customer');
      expect(await t.success()).to.not.equal('');
      expect(await t.net.mb.store.customerByUser(user.id)).to.not.equal(undefined);
    },
  },
  {
    screen: 'memberships-products',
    control: 'button: Add New Product',
    run: async (t) => {
      await t.go(page_('memberships-products'));
      await submitForm(t, { Name: `${t.tag} Gold`, Price: '49.99' }, 'Add New Product');
      expect(await t.success()).to.include(`${t.tag} Gold`);
      expect((await t.net.mb.store.all<{ name: string; price_cents: number }>('mb_products')).find((p) => p.name === `${t.tag} Gold`)?.price_cents).to.equal(4999);
    },
  },
  {
    screen: 'memberships-payments',
    control: 'row: Mark as received',
    run: async (t) => {
      await freshNetwork(t);
      await eachRow(t, page_('memberships-payments'), 'Mark as received', async (id) => expect((await mbGet<Payment>(t, 'mb_payments', id))!.status).to.equal('completed'));
    },
  },
  {
    screen: 'memberships-payments',
    control: 'row: Mark as failed',
    run: async (t) => {
      await freshNetwork(t);
      await eachRow(t, page_('memberships-payments'), 'Mark as failed', async (id) => expect((await mbGet<Payment>(t, 'mb_payments', id))!.status).to.equal('failed'));
    },
  },
  {
    screen: 'memberships-payments',
    control: 'row: Send invoice',
    run: async (t) => {
      await freshNetwork(t);
      const sent: number[] = [];
      const listener = (p: number | { id: number }) => void sent.push(typeof p === 'number' ? p : p.id);
      t.net.hp.host.hooks.add_action('memberships_invoice_sent', listener);
      try {
        await eachRow(t, page_('memberships-payments'), 'Send invoice', (id) => expect(sent.at(-1)).to.equal(id));
      } finally {
        t.net.hp.host.hooks.remove_action('memberships_invoice_sent', listener);
      }
    },
  },
  {
    screen: 'memberships-payments',
    control: 'button: Add New Payment',
    run: async (t) => {
      const s = await freshNetwork(t);
      const before = (await t.net.mb.store.all<Payment>('mb_payments')).length;
      await t.go(page_('memberships-payments'));
      await submitForm(t, { Membership: String(s.memberships[0]), Subtotal: '10' }, 'Add New Payment');
      expect(await t.success()).to.not.equal('');
      expect((await t.net.mb.store.all<Payment>('mb_payments')).length).to.equal(before + 1);
    },
  },
  {
    screen: 'memberships-domains',
    control: 'button: Add New Domain',
    run: async (t) => {
      const s = await freshNetwork(t);
      await t.go(page_('memberships-domains'));
      await submitForm(t, { Site: String(s.sites[2]), Domain: `${t.tag}-added.example.com` }, 'Add New Domain');
      expect(await t.success()).to.not.equal('');
      expect((await t.net.mb.store.domainByName(`${t.tag}-added.example.com`))?.site_id).to.equal(s.sites[2]);
    },
  },
  // ----- Webhooks list
  {
    screen: 'webhooks',
    control: 'row: Send Test Event',
    run: async (t) => {
      await freshWebhooks(t);
      for (const i of [1, 2, 3]) {
        await t.go(`${list}&s=${encodeURIComponent(t.tag)}`);
        const before = t.net.receiver.requests.length;
        await t.page.getByRole('button', { name: `Send Test Event “${t.tag} hook ${i}”` }).click({ force: true });
        await expectTestSent(t, before);
        expect(t.net.receiver.requests.at(-1)!.path).to.equal(`/${t.tag}-${i}`);
      }
    },
  },
  {
    screen: 'webhooks',
    control: 'row: Deactivate',
    run: async (t) => {
      await freshWebhooks(t);
      await eachRow(t, `${list}&s=${encodeURIComponent(t.tag)}`, 'Deactivate', async (id) => expect((await hookOf(t, id)).active).to.equal(false));
    },
  },
  {
    screen: 'webhooks',
    control: 'row: Activate',
    run: async (t) => {
      await freshWebhooks(t, 3, false);
      await eachRow(t, `${list}&s=${encodeURIComponent(t.tag)}`, 'Activate', async (id) => expect((await hookOf(t, id)).active).to.equal(true));
    },
  },
  {
    screen: 'webhooks',
    control: 'row: Delete',
    run: async (t) => {
      await freshWebhooks(t);
      await eachRow(t, `${list}&s=${encodeURIComponent(t.tag)}`, 'Delete', (id) => expectWebhookGone(t, id), 'Yes, Delete Webhook');
    },
  },
  {
    screen: 'webhooks',
    control: 'row: Edit',
    run: async (t) => {
      const ids = await freshWebhooks(t);
      await t.go(`${list}&s=${encodeURIComponent(t.tag)}`);
      await t.page.getByRole('link', { name: `Edit “${t.tag} hook 2”` }).click({ force: true });
      expect(t.page.url()).to.include(`page=webhooks-edit&id=${ids[1]}`);
      expect(await t.page.getByLabel('Name', { exact: true }).inputValue()).to.equal(`${t.tag} hook 2`);
    },
  },
  {
    screen: 'webhooks:confirm-delete',
    control: 'button: Yes, Delete Webhook',
    run: async (t) => {
      const ids = await freshWebhooks(t, 1);
      await t.go(`${list}&action=confirm-delete&id=${ids[0]}`);
      await t.page.getByRole('button', { name: 'Yes, Delete Webhook' }).click();
      expect(await t.success()).to.include('deleted');
      await expectWebhookGone(t, ids[0]!);
    },
  },
  ...bulkRows('webhooks', list, 'Deactivate', (t) => freshWebhooks(t), (t, ids) => forEachId(ids, async (id) => expect((await hookOf(t, id)).active).to.equal(false))),
  ...bulkRows('webhooks', list, 'Activate', (t) => freshWebhooks(t, 3, false), (t, ids) => forEachId(ids, async (id) => expect((await hookOf(t, id)).active).to.equal(true))),
  ...bulkRows('webhooks', list, 'Delete', (t) => freshWebhooks(t), (t, ids) => forEachId(ids, (id) => expectWebhookGone(t, id)), {
    label: 'Yes, Delete Webhooks',
    unchanged: (t, ids) => forEachId(ids, async (id) => expect((await hookOf(t, id)).id).to.equal(id)),
  }),
  applyNothing('webhooks', list, (t) => freshWebhooks(t)),
  search('webhooks', list, 'Search Webhooks', async (t) => (await freshWebhooks(t), `${t.tag} hook 3`)),
  selectAll('webhooks', list, (t) => freshWebhooks(t)),
  {
    screen: 'webhooks',
    control: 'dialog: Close',
    modes: 'js',
    run: async (t) => {
      await freshWebhooks(t, 1);
      await t.go(`${list}&s=${encodeURIComponent(t.tag)}`);
      const dialog = t.page.locator('#test-result-dialog');
      await jsOnly(t, dialog, async () => {
        const button = t.page.getByRole('button', { name: `Send Test Event “${t.tag} hook 1”` });
        await button.click({ force: true });
        await dialog.getByRole('button', { name: 'Close' }).click();
        expect(await dialog.isVisible()).to.equal(false);
        expect(await button.evaluate((b) => b === document.activeElement), 'focus returns to the button').to.equal(true);
      });
    },
  },
  // ----- Webhooks: add, edit
  {
    screen: 'webhooks-new',
    control: 'button: Add New Webhook',
    run: async (t) => {
      await t.go(page_('webhooks-new'));
      await submitForm(t, { Name: `${t.tag} added`, URL: `${t.net.receiver.url}/added`, Event: 'payment_received' }, 'Add New Webhook');
      expect(await t.success()).to.include(`${t.tag} added`);
      expect((await t.net.hooks.list_webhooks({ search: `${t.tag} added` })).total).to.equal(1);
    },
  },
  {
    screen: 'webhooks-new',
    control: 'button: Use this URL',
    run: async (t) => {
      await t.go(page_('webhooks-new'));
      await t.page.getByLabel('Name', { exact: true }).fill(`${t.tag} insp`);
      await t.page.getByRole('button', { name: 'Use this URL' }).click();
      await t.page.waitForLoadState();
      const url = await t.page.getByLabel('URL', { exact: true }).inputValue();
      expect(url).to.match(/\/webhook-inspector\//);
      expect((await inboxes(t)).some((i) => url.endsWith(i.token))).to.equal(true);
      expect(await t.page.getByLabel('Name', { exact: true }).inputValue()).to.equal(`${t.tag} insp`);
    },
  },
  ...editRows(),
  // ----- Webhooks: events, deliveries, inspector
  {
    screen: 'webhooks-events',
    control: 'copy: Copy',
    modes: 'js',
    run: async (t) => {
      await t.go(page_('webhooks-events'));
      const copy = t.page.locator('[data-copy-target]');
      await jsOnly(t, copy, async () => {
        const target = await copy.first().getAttribute('data-copy-target');
        expect(await copyVia(t, copy.first())).to.equal(await t.page.locator(`[id="${target}"]`).textContent());
      });
    },
  },
  {
    screen: 'webhooks-deliveries',
    control: 'button: Filter',
    run: async (t) => {
      const ids = await freshWebhooks(t, 2);
      await t.net.webhooks.send_test_event(ids[1]!);
      await t.go(page_('webhooks-deliveries'));
      await t.page.getByLabel('Webhook', { exact: true }).selectOption(String(ids[1]));
      await t.page.getByRole('button', { name: 'Filter' }).click();
      await t.page.waitForLoadState();
      expect(t.page.url()).to.include(`webhook_id=${ids[1]}`);
      const rows = t.page.locator('table.wp-list-table tbody tr');
      expect(await rows.count()).to.equal(1);
    },
  },
  {
    screen: 'webhooks-deliveries:delivery',
    control: 'button: Resend',
    run: async (t) => {
      const ids = await freshWebhooks(t, 1);
      await fireEvent(t.net.webhooks, 'payment_received', { payment_id: 7 });
      await t.net.webhooks.worker.drain();
      const d = (await t.net.hooks.list_deliveries({ webhookId: ids[0] })).items[0]!;
      const before = t.net.receiver.requests.filter((r) => r.path === `/${t.tag}-1`).length;
      await t.go(page_('webhooks-deliveries', `&delivery=${d.id}`));
      await t.page.getByRole('button', { name: 'Resend' }).click();
      expect(await t.success()).to.include('sent again');
      await t.net.webhooks.worker.drain();
      expect(t.net.receiver.requests.filter((r) => r.path === `/${t.tag}-1`).length).to.equal(before + 1);
    },
  },
  ...inspectorRows('webhooks-inspector', () => page_('webhooks-inspector')),
  {
    screen: 'webhooks-inspector:confirm-delete',
    control: 'button: Yes, Delete Inspector URL',
    run: async (t) => {
      const inbox = await newInbox(t);
      await t.go(page_('webhooks-inspector', `&action=confirm-delete&token=${inbox.token}`));
      await t.page.getByRole('button', { name: 'Yes, Delete Inspector URL' }).click();
      expect(await t.success()).to.include('deleted');
      expect(await t.net.webhooks.inspector.inboxAsync(inbox.token)).to.equal(undefined);
    },
  },
  cancelRow('webhooks-inspector:confirm-delete', () => page_('webhooks-inspector'), 'Delete', async (t) => {
    const n = (await inboxes(t)).length || (await newInbox(t), 1);
    return async () => expect((await inboxes(t)).length).to.equal(n);
  }),
  ...inspectorRows('webhooks-inspector:inbox', async (t) => page_('webhooks-inspector', `&inbox=${(await newInbox(t)).token}`)),
  ...['Request headers', 'Response headers', 'Response body'].map(
    (label): ControlRow => ({
      screen: 'webhooks-deliveries:delivery',
      control: `summary: ${label}`,
      run: async (t) => {
        const [id] = await freshWebhooks(t, 1);
        const { deliveryId } = await t.net.webhooks.send_test_event(id!);
        await t.go(page_('webhooks-deliveries', `&delivery=${deliveryId}`));
        const details = t.page.locator('details', { has: t.page.locator('summary', { hasText: label }) }).first();
        const wasOpen = await details.evaluate((d) => (d as HTMLDetailsElement).open);
        await details.locator('summary').click();
        expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).to.equal(!wasOpen);
      },
    }),
  ),
  {
    screen: 'webhooks:confirm-delete',
    control: 'link: Cancel',
    run: async (t) => {
      const ids = await freshWebhooks(t, 1);
      // Cancel returns to the screen the confirmation was opened from: the list, or the edit screen.
      for (const from of [`${list}&s=${encodeURIComponent(t.tag)}`, page_('webhooks-edit', `&id=${ids[0]}`)]) {
        await t.go(from);
        await t.page.getByRole('link', { name: /^Delete/ }).first().click({ force: true });
        await t.page.getByRole('link', { name: 'Cancel' }).click();
        await t.page.waitForLoadState();
        expect(t.page.url()).to.equal(t.net.url + from);
        expect((await hookOf(t, ids[0]!)).name).to.equal(`${t.tag} hook 1`);
      }
    },
  },
  // ----- Example plugin
  {
    screen: 'example-coupons',
    control: 'button: Redeem coupon',
    run: async (t) => {
      await t.go(page_('example-coupons'));
      await submitForm(t, { 'Coupon code': 'SAVE10', Amount: '10' }, 'Redeem coupon');
      expect(await t.success()).to.include('Coupon SAVE10 redeemed');
    },
  },
];

/** The Request Inspector's controls (the same on the list of inboxes and on one inbox). */
function inspectorRows(screen: string, path: (t: T) => string | Promise<string>): ControlRow[] {
  return [
    {
      screen,
      control: 'button: Create inspector URL',
      run: async (t) => {
        const url = await path(t);
        const before = (await inboxes(t)).length;
        await t.go(url);
        await t.page.getByRole('button', { name: 'Create inspector URL' }).click();
        expect(await t.success()).to.include('Inspector URL created');
        expect((await inboxes(t)).length).to.equal(before + 1);
      },
    },
    {
      screen,
      control: 'link: Delete',
      run: async (t) => {
        const url = await path(t);
        const inbox = await newInbox(t);
        await t.go(url);
        await t.page.locator('tr', { has: t.page.locator(`[id="inbox-${inbox.token}"]`) }).getByRole('link', { name: 'Delete' }).click();
        await t.page.getByRole('button', { name: 'Yes, Delete Inspector URL' }).click();
        expect(await t.success()).to.include('deleted');
        expect((await inboxes(t)).some((i) => i.token === inbox.token)).to.equal(false);
      },
    },
    {
      screen,
      control: 'copy: Copy',
      modes: 'js',
      run: async (t) => {
        await t.go(await path(t));
        const copy = t.page.locator('[data-copy-target]');
        await jsOnly(t, copy, async () => {
          const target = await copy.first().getAttribute('data-copy-target');
          const got = await copyVia(t, copy.first());
          const el = t.page.locator(`[id="${target}"]`);
          const text = (await el.evaluate((e) => e.tagName)) === 'INPUT' ? await el.inputValue() : await el.textContent();
          expect(got).to.equal(text);
        });
      },
    },
  ];
}

/** The edit screen's controls. */
function editRows(): ControlRow[] {
  const edit = (id: number) => page_('webhooks-edit', `&id=${id}`);
  return [
    {
      screen: 'webhooks-edit',
      control: 'button: Save Changes',
      run: async (t) => {
        const [id] = await freshWebhooks(t, 1);
        await t.go(edit(id!));
        await submitForm(t, { Name: `${t.tag} renamed` }, 'Save Changes');
        expect(await t.success()).to.include('updated');
        expect((await hookOf(t, id!)).name).to.equal(`${t.tag} renamed`);
      },
    },
    {
      screen: 'webhooks-edit',
      control: 'button: Send Test Event',
      run: async (t) => {
        const [id] = await freshWebhooks(t, 1);
        await t.go(edit(id!));
        const before = t.net.receiver.requests.length;
        await t.page.getByRole('button', { name: 'Send Test Event' }).click();
        await expectTestSent(t, before);
      },
    },
    {
      screen: 'webhooks-edit',
      control: 'button: Rotate secret',
      run: async (t) => {
        const [id] = await freshWebhooks(t, 1);
        const before = (await hookOf(t, id!)).secret;
        await t.go(edit(id!));
        await t.page.getByRole('button', { name: 'Rotate secret' }).click();
        expect(await t.success()).to.not.equal('');
        const once = (await hookOf(t, id!)).secret;
        expect(once).to.not.equal(before);
        // Again inside the previous secret's grace: that would drop it, so it asks first.
        await t.page.getByRole('button', { name: 'Rotate secret' }).click();
        await t.page.waitForLoadState();
        expect((await hookOf(t, id!)).secret).to.equal(once);
        await t.page.getByRole('button', { name: 'Yes, Rotate Secret', exact: true }).click();
        expect(await t.success()).to.not.equal('');
        expect((await hookOf(t, id!)).secret).to.not.equal(once);
      },
    },
    {
      screen: 'webhooks-edit',
      control: 'button: Recover failed deliveries',
      run: async (t) => {
        const [id] = await freshWebhooks(t, 1);
        await t.go(edit(id!));
        await t.page.getByRole('button', { name: 'Recover failed deliveries' }).click();
        await t.page.waitForLoadState();
        expect(await t.page.locator('.notice').first().textContent()).to.match(/recover|deliver/i);
      },
    },
    {
      screen: 'webhooks-edit',
      control: 'summary: Reveal secret',
      run: async (t) => {
        const [id] = await freshWebhooks(t, 1);
        await t.go(edit(id!));
        expect(await t.page.getByLabel('Secret').isVisible()).to.equal(false);
        await t.page.getByText('Reveal secret').click();
        expect(await t.page.getByLabel('Secret').inputValue()).to.equal((await hookOf(t, id!)).secret);
      },
    },
    {
      screen: 'webhooks-edit',
      control: 'summary: Attempts per day (table)',
      run: async (t) => {
        const [id] = await freshWebhooks(t, 1);
        await t.go(edit(id!));
        await t.page.getByText('Attempts per day (table)').click();
        expect(await t.page.locator('.attempts-table table').isVisible()).to.equal(true);
      },
    },
    {
      screen: 'webhooks-edit',
      control: 'copy: Copy',
      modes: 'js',
      run: async (t) => {
        const [id] = await freshWebhooks(t, 1);
        await t.go(edit(id!));
        const copy = t.page.locator('[data-copy-target]');
        await jsOnly(t, copy, async () => {
          await t.page.getByText('Reveal secret').click();
          expect(await copyVia(t, copy.first())).to.equal((await hookOf(t, id!)).secret);
        });
      },
    },
    {
      screen: 'webhooks-edit',
      control: 'link: Delete Webhook',
      run: async (t) => {
        const [id] = await freshWebhooks(t, 1);
        await t.go(edit(id!));
        await t.page.getByRole('link', { name: 'Delete Webhook' }).click();
        await t.page.getByRole('button', { name: 'Yes, Delete Webhook' }).click();
        expect(await t.success()).to.include('deleted');
        await expectWebhookGone(t, id!);
      },
    },
    {
      screen: 'webhooks-edit',
      control: 'dialog: Close',
      modes: 'js',
      run: async (t) => {
        const [id] = await freshWebhooks(t, 1);
        await t.go(edit(id!));
        const dialog = t.page.locator('#test-result-dialog');
        await jsOnly(t, dialog, async () => {
          const button = t.page.getByRole('button', { name: 'Send Test Event' });
          await button.click();
          await dialog.getByRole('button', { name: 'Close' }).click();
          expect(await dialog.isVisible()).to.equal(false);
          expect(await button.evaluate((b) => b === document.activeElement), 'focus returns to the button').to.equal(true);
        });
      },
    },
  ];
}

describe('e2e: every control of every admin screen, clicked in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let net: Network;
  const sessions = new Map<boolean, { context: BrowserContext; page: Page }>();
  let runs = 0;

  before(async function () {
    this.timeout(120_000);
    browser = await launchChromiumOrSkip(this);
    net = await startNetwork();
    await net.hp.plugins.activate('example-coupons');
    await seed(net, 3, 'base');
    for (const js of [true, false]) {
      const s = await logIn(browser, net.url, js);
      if (js) await s.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: net.url });
      sessions.set(js, s);
    }
  });
  after(async () => {
    await browser?.close();
    await net?.close();
    if (runs) console.log(`      (${runs} control clicks across ${CONTROLS.length} table rows, JavaScript on and off)`);
  });

  for (const js of [true, false]) {
    describe(js ? 'with JavaScript' : 'without JavaScript', () => {
      for (const row of CONTROLS) {
        it(`${row.screen} → ${row.control}`, async () => {
          const { page } = sessions.get(js)!;
          const tag = `t${runs++}${js ? 'j' : 'n'}`;
          const t: T = {
            page,
            net,
            js,
            tag,
            go: async (path) => {
              const res = await page.goto(net.url + path);
              expect(res?.status(), path).to.equal(200);
            },
            success: async () => {
              const n = page.locator('.notice-success');
              if (!(await n.count())) {
                const other = await page.locator('.notice, h1').allTextContents();
                throw new Error(`no success notice on ${page.url()}: ${other.join(' | ').slice(0, 300)}`);
              }
              return (await n.allTextContents()).join(' ');
            },
          };
          await row.run(t);
        });
      }
    });
  }

  it('every control on every screen has a row in the table (JavaScript on and off)', async () => {
    const known = new Set(CONTROLS.map((r) => `${r.screen} → ${r.control}`));
    const missing = new Set<string>();
    const s = await seed(net, 3, 'enum');
    // Rows whose actions are conditional: one cancelled membership shows "Activate".
    await net.mb.updateMembership(s.memberships[0]!, { status: 'cancelled' });
    await net.hooks.update_webhook(s.webhooks[0]!, { active: false });
    for (const js of [true, false]) {
      const { page } = sessions.get(js)!;
      for (const path of await adminPages(net, s)) {
        await page.goto(net.url + path);
        for (const control of await enumerateControls(page)) {
          const key = `${screenKey(path)} → ${control}`;
          if (!known.has(key)) missing.add(key);
        }
      }
    }
    expect([...missing], `controls without a row in CONTROLS (add one: README, “Browser and markup tests”):\n${[...missing].join('\n')}`).to.deep.equal([]);
  });
});
