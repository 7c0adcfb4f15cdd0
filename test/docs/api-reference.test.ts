import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../core/config.js';
import { createTestHost } from '../../core/plugin-testkit.js';
import type { PluginApi } from '../../core/plugin-sdk.js';

/** The members the README's "The `api` object" table documents. */
function documentedMembers(): string[] {
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('### The `api` object');
  expect(at, 'README has "### The `api` object"').to.be.greaterThan(-1);
  const section = readme.slice(at, readme.indexOf('\n\n', readme.indexOf('| --- |', at)));
  return [...section.matchAll(/^\| `([a-zA-Z0-9_]+)` \|/gm)].map((m) => m[1]!);
}

describe('docs: the README’s `api` reference matches the SDK', () => {
  it('documents every member of the api object a plugin receives, and nothing else', async () => {
    const host = await createTestHost({ plugins: ['example-coupons'] });
    try {
      // Typed as the SDK's PluginApi: a member missing from the object would not compile.
      const api: PluginApi = host.api('example-coupons');
      const actual = Object.keys(api).sort();
      // Every key of the type, listed here so that adding one to the type fails until documented.
      const typed: Record<keyof PluginApi, true> = {
        slug: true, hostVersion: true, dir: true, hooks: true, menus: true, options: true, settingsApi: true, i18n: true, notices: true,
        db: true, dialect: true, sqlite: true, transaction: true, migrate: true, unmigrate: true, logger: true, config: true, settings: true, clock: true, urls: true,
        users: true, sites: true, cron: true, view: true, ui: true, services: true, routes: true, rest: true,
      };
      expect(actual).to.deep.equal(Object.keys(typed).sort());
      expect(documentedMembers().sort()).to.deep.equal(actual);
    } finally {
      await host.close();
    }
  });
});
