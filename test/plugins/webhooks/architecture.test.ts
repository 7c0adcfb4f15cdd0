import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../core/config.js';
import type { WebhooksApi } from '../../../plugins/webhooks/api.js';
import type { WebhooksAdminApi } from '../../../plugins/webhooks/admin/admin-api.js';
import { localImportsOf, sourceFiles } from '../../helpers/imports.js';
import { makeWebhooksApp, webhooksApi, type WebhooksApp } from '../../helpers/webhooks.js';

const PLUGIN = 'plugins/webhooks';

/** Modules that hold the engine: no screen or REST handler may import them, not even a type. */
const ENGINE = [`${PLUGIN}/service.ts`, `${PLUGIN}/facades.ts`, `${PLUGIN}/index.ts`];

/** "file → module" for each import, under `dirs`, of a module in `forbidden`. */
function forbiddenImports(root: string, dirs: string[], forbidden: string[]): string[] {
  return dirs
    .flatMap((dir) => sourceFiles(path.join(root, dir)))
    .flatMap((file) => localImportsOf(file, root).filter((t) => forbidden.includes(t)).map((t) => `${path.relative(root, file).split(path.sep).join('/')} → ${t}`));
}

/**
 * The event's path (outbox → worker → dispatch) and the pure leaf modules it may call — the
 * argument is in the module comment of delivery/dispatch.ts. A new module the path imports
 * must join one list or the other.
 */
const PATH = ['delivery/outbox.ts', 'data/deliveries-store.ts', 'data/group-commit.ts', 'delivery/worker.ts', 'delivery/dispatch.ts', 'delivery/transport.ts'];
const LEAVES = ['delivery/retry-policy.ts', 'delivery/signing.ts', 'delivery/ssrf-guard.ts', 'delivery/ids.ts', 'model/webhook.ts', 'events/registry.ts', 'errors.ts', 'data/webhooks-store.ts', 'data/attempt-sql.ts'];
const inPlugin = (m: string) => `${PLUGIN}/${m}`;

/** "module → import" for each import of the plugin's own modules, by `modules`, outside `allowed`. */
function strayImports(modules: string[], allowed: string[]): string[] {
  return modules.flatMap((m) =>
    localImportsOf(path.join(PROJECT_ROOT, inPlugin(m)), PROJECT_ROOT)
      .filter((t) => t.startsWith(`${PLUGIN}/`) && !allowed.map(inPlugin).includes(t))
      .map((t) => `${m} → ${t}`),
  );
}

describe('plugins/webhooks architecture', () => {
  describe('admin screens and REST handlers never get the engine', () => {
    it('finds an import of the service class, type-only included', () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-arch-'));
      try {
        fs.mkdirSync(path.join(tmp, PLUGIN, 'admin'), { recursive: true });
        fs.writeFileSync(path.join(tmp, PLUGIN, 'admin', 'x-screen.ts'), "import type { WebhooksService } from '../service.js';\nimport { PAGES } from './shared.js';\n");
        expect(forbiddenImports(tmp, [`${PLUGIN}/admin`], ENGINE)).to.deep.equal([`${PLUGIN}/admin/x-screen.ts → ${PLUGIN}/service.ts`]);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });

    it('holds for every module under admin/ and rest/ (and the inspector routes)', () => {
      expect(fs.existsSync(path.join(PROJECT_ROOT, PLUGIN, 'admin', 'list-screen.ts')), 'the screens are where this test looks').to.equal(true);
      const found = forbiddenImports(PROJECT_ROOT, [`${PLUGIN}/admin`, `${PLUGIN}/rest`], ENGINE);
      const routes = localImportsOf(path.join(PROJECT_ROOT, PLUGIN, 'inspector-routes.ts'), PROJECT_ROOT).filter((t) => ENGINE.includes(t));
      expect([...found, ...routes]).to.deep.equal([]);
    });
  });

  describe('the event path: outbox → worker → dispatch in at most 6 files, one direction', () => {
    it('is at most six files, each present and named in the module comment of delivery/dispatch.ts', () => {
      expect(PATH.length).to.be.at.most(6);
      const note = fs.readFileSync(path.join(PROJECT_ROOT, PLUGIN, 'delivery', 'dispatch.ts'), 'utf8').split('*/')[0]!;
      for (const m of [...PATH, ...LEAVES]) {
        expect(fs.existsSync(path.join(PROJECT_ROOT, inPlugin(m))), m).to.equal(true);
        if (m !== 'delivery/dispatch.ts') expect(note, `dispatch.ts's module comment names ${m}`).to.include(`\`${m}\``);
      }
    });

    it('path modules import only path modules and leaves of the plugin: nothing back into the service, facades, screens or REST', () => {
      expect(strayImports(PATH, [...PATH, ...LEAVES])).to.deep.equal([]);
    });

    it('leaves import only leaves: they call nothing back on the path', () => {
      expect(strayImports(LEAVES, LEAVES)).to.deep.equal([]);
    });
  });

  describe('the objects the engine is seen through', () => {
    let w: WebhooksApp;
    beforeEach(async () => {
      w = await makeWebhooksApp();
    });
    afterEach(async () => {
      await w.hp.close();
    });

    it('other plugins get exactly the WebhooksApi methods, frozen — the list README gives', () => {
      // Every key of the type: a method added to WebhooksApi fails to compile here until listed.
      const typed: Record<keyof WebhooksApi, true> = {
        wu_register_event_type: true, wu_get_event_types: true, wu_get_event_type: true, wu_do_event: true,
        create_webhook: true, get_webhook: true, update_webhook: true, delete_webhook: true, list_webhooks: true, rotate_secret: true,
        list_deliveries: true, get_delivery: true, resend_delivery: true, recover_failed_deliveries: true, send_test_event: true, async: true,
      };
      const provided = webhooksApi(w.hp);
      expect(Object.keys(provided).sort()).to.deep.equal(Object.keys(typed).sort());
      expect(Object.isFrozen(provided)).to.equal(true);
      for (const key of Object.keys(provided)) if (key !== 'async') expect(typeof provided[key as keyof WebhooksApi], key).to.equal('function');
      // The promise twins: frozen functions too, exactly WebhooksAsyncApi's.
      expect(Object.isFrozen(provided.async)).to.equal(true);
      for (const [key, fn] of Object.entries(provided.async)) expect(typeof fn, `async.${key}`).to.equal('function');

      const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
      const at = readme.indexOf('Its methods, all of them:');
      expect(at, 'README lists WebhooksApi’s methods').to.be.greaterThan(-1);
      const list = readme.slice(at, readme.indexOf('\n\n', readme.indexOf('\n- ', at)));
      expect([...list.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).sort()).to.deep.equal(Object.keys(typed).sort());
    });

    it('every WebhooksApi method has a doc comment', () => {
      const source = fs.readFileSync(path.join(PROJECT_ROOT, PLUGIN, 'api.ts'), 'utf8');
      const body = source.slice(source.indexOf('export interface WebhooksApi'));
      const methods = [...body.matchAll(/^\s{2}([a-z_]+)\(/gm)].map((m) => m[1]!);
      expect(methods).to.have.length(15);
      for (const name of methods) expect(body, `${name} is documented`).to.match(new RegExp(`\\*/\\s*\\n\\s*${name}\\(`));
    });

    it('the admin screens’ object carries only what the screens use, and no store or engine', async () => {
      const { adminApi, publicApi } = await import('../../../plugins/webhooks/facades.js');
      const admin = adminApi(w.service, publicApi(w.service));
      const typed: Record<keyof WebhooksAdminApi, true> = {
        wu_get_event_types: true, wu_get_event_type: true, create_webhook: true, get_webhook: true, update_webhook: true, delete_webhook: true,
        list_webhooks: true, rotate_secret: true, list_deliveries: true, get_delivery: true, resend_delivery: true, recover_failed_deliveries: true,
        send_test_event: true, findWebhook: true, whyNotSendable: true, allowList: true, destinations: true, health: true, deliveryLog: true, inspector: true,
      };
      expect(Object.keys(admin).sort()).to.deep.equal(Object.keys(typed).sort());
      expect(Object.keys(admin.deliveryLog).sort()).to.deep.equal(['countsByWebhook', 'totalsOf']);
      expect(Object.keys(admin.health).sort()).to.deep.equal(['buckets', 'bucketsMany', 'latency']);
      expect(admin).to.not.have.any.keys('wu_do_event', 'worker', 'deliveries', 'webhooks', 'transport', 'dispatch', 'outbox');
    });
  });
});
