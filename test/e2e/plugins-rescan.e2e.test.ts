import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { sql } from 'kysely';
import type { Browser } from 'playwright-core';
import type { HookpressApp } from '../../core/app.js';
import { makeApp } from '../helpers/app.js';
import { launchChromiumOrSkip } from './browser.js';
import { logIn } from './network.js';
import { sqlRows } from './storage.js';

const LATE_ARRIVAL = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'late-plugins', 'late-arrival');

/** A plugin that needs nothing but its manifest, written straight into `dir`. */
function writePlugin(dir: string, slug: string, name: string): void {
  fs.mkdirSync(path.join(dir, slug));
  fs.writeFileSync(path.join(dir, slug, 'index.ts'), `export const manifest = { name: ${JSON.stringify(name)}, description: 'Here for a moment.', version: '1.0.0', author: 'Tests' };\n`);
}

// WordPress's Plugins screen reads wp-content/plugins on every load (get_plugins()): a folder
// copied in while the site runs is listed at once and can be activated.
describe('e2e: a plugin folder copied in while the host runs (Plugins screen, Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let hp: HookpressApp | undefined;
  let pluginsDir: string;

  before(async function () {
    browser = await launchChromiumOrSkip(this);
  });
  after(() => browser?.close());
  beforeEach(() => (pluginsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-plugins-'))));
  afterEach(async () => {
    await hp?.close();
    hp = undefined;
    fs.rmSync(pluginsDir, { recursive: true, force: true });
  });

  it('is listed on the next load of the Plugins screen and Network Activate runs its code (JavaScript off); a folder removed meanwhile is dropped, not a crash', async () => {
    // Every folder of pluginsDir counts (no pluginSlugs filter), as in production.
    hp = await makeApp({ pluginsDir, pluginSlugs: undefined, port: 0 });
    const url = await hp.start();
    const { page: p } = await logIn(browser, url, false);
    await p.goto(`${url}/wp-admin/network/plugins.php`);
    expect(await p.locator('#plugin-late-arrival').count()).to.equal(0);

    fs.cpSync(LATE_ARRIVAL, path.join(pluginsDir, 'late-arrival'), { recursive: true });
    writePlugin(pluginsDir, 'short-lived', 'Short Lived');
    await p.reload();
    await p.getByRole('button', { name: 'Network Activate Late Arrival' }).waitFor();
    await p.getByRole('button', { name: 'Network Activate Short Lived' }).waitFor();

    // Removed after the screen showed it: its Activate answers with a notice, the screen lists the rest.
    fs.rmSync(path.join(pluginsDir, 'short-lived'), { recursive: true });
    await p.getByRole('button', { name: 'Network Activate Short Lived' }).click();
    await p.getByText('There is no plugin "short-lived".').waitFor();
    expect(await p.locator('#plugin-short-lived').count()).to.equal(0);

    await p.getByRole('button', { name: 'Network Activate Late Arrival' }).click();
    await p.getByText('Plugin “Late Arrival” network activated.').waitFor();
    await p.getByRole('button', { name: 'Network Deactivate Late Arrival' }).waitFor();
    const stored = await sqlRows<{ name: string; value: string }>(hp, sql`SELECT name, value FROM site_options WHERE name IN ('active_sitewide_plugins', 'late_arrival_activated') ORDER BY name`);
    expect(Object.keys(JSON.parse(stored[0]!.value) as object)).to.include('late-arrival');
    expect(stored[1]).to.deep.equal({ name: 'late_arrival_activated', value: JSON.stringify('yes') });
    await p.context().close();
  });
});
