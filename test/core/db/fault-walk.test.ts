import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../core/config.js';
import type { HookpressApp } from '../../../core/app.js';
import type { Db } from '../../../core/db/database.js';
import { FAULT_CODES, FaultInjector, type FaultCode } from '../../../core/db/fault-injection.js';
import { isStorageError } from '../../../core/db/storage-errors.js';
import type { MembershipsService } from '../../../plugins/memberships/service.js';
import type { WebhooksService } from '../../../plugins/webhooks/service.js';
import { loginAgent, makeApp, nonceNear, sqliteHostOnly, type Agent } from '../../helpers/app.js';
import { PLUGINS_DIR } from '../../helpers/webhooks.js';
import { apiKeyAuth } from '../../helpers/rest.js';
import request from 'supertest';

/**
 * Every table but sessions (a session's expiry or flash notice is not the request's change) and
 * cache_versions (a counter of writes: a write undone by a compensating write still counts), as JSON per table.
 */
function snapshot(db: Db): Record<string, string> {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('sessions', 'sqlite_sequence', 'cache_versions') ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
  return Object.fromEntries(tables.map((t) => [t, JSON.stringify(db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all())]));
}

/** The tables whose rows differ between two snapshots (empty when nothing changed). */
function changedTables(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((t) => a[t] !== b[t]);
}

/**
 * Writes whose failure is reported on the page instead of a 503, by design, with the rows written
 * before them kept: each is an outbox record of something already done outside the database.
 */
const KNOWN: Array<{ form: RegExp; sql: RegExp; why: string }> = [
  {
    form: /page=webhooks(-edit)?[^ ]* .*"action":"test"/,
    sql: /^(BEGIN|INSERT INTO webhook_attempts|UPDATE webhook_deliveries|INSERT INTO webhook_health|UPDATE webhooks)/,
    why: 'Send Test Event: the request was sent; recording its attempt failed, which the notice says ("The test event was not sent" / the error); the test delivery row stays as the outbox record (delivery engine, #11)',
  },
];
const knownSeen = new Set<string>();

const SESSION_WRITE = /^(insert into|update|delete from) "?sessions\b/i;

/** A host with every real plugin, seeded through its screens, every database call through `faults`. */
async function seededHost(faults: FaultInjector): Promise<{ hp: HookpressApp; agent: Agent }> {
  const hp = await makeApp({
    faults,
    pluginsDir: PLUGINS_DIR,
    pluginSlugs: ['webhooks', 'memberships', 'example-coupons'],
    plugins: { webhooks: { autoStart: false, allowNetworks: '127.0.0.0/8' } },
  });
  for (const slug of ['webhooks', 'memberships', 'example-coupons']) if (!hp.plugins.isActive(slug)) await hp.plugins.activate(slug);
  const agent = await loginAgent(hp);
  const page = (slug: string) => `/wp-admin/network/admin.php?page=${slug}`;
  const post = async (slug: string, marker: string, body: Record<string, string>) => {
    const form = await agent.get(page(slug));
    return agent.post(page(slug)).type('form').send({ _wpnonce: nonceNear(form.text, marker), ...body });
  };
  const mb = hp.host.services.get('memberships')!.service as MembershipsService;
  await post('memberships-products', 'value="create"', { action: 'create', name: 'Pro Plan', price: '29', setup_fee: '20', currency: 'USD', period: 'month' });
  const product = (await mb.store.all<{ id: number }>('mb_products'))[0]!;
  const { user } = await hp.host.users.create({ login: 'ada', email: 'ada@example.com', password: 'password 123' });
  await post('memberships-customers', 'value="create"', { action: 'create', user_id: String(user.id), billing_address: 'London', verify: '1' });
  const customer = (await mb.store.customerByUser(user.id))!;
  await post('memberships-memberships', 'value="create"', { action: 'create', customer_id: String(customer.id), product_id: String(product.id), status: 'active', date_expiration: '2030-01-01' });
  const membership = (await mb.store.all<{ id: number }>('mb_memberships'))[0]!;
  await post('memberships-payments', 'value="create"', { action: 'create', membership_id: String(membership.id), subtotal: '29.00', tax: '5.80', status: 'pending' });
  hp.host.sites.create({ slug: 'second', title: 'Second Site', admin_email: 'second@example.com' });
  const webhooks = hp.host.services.get('webhooks')!.service as WebhooksService;
  webhooks.create_webhook({ name: 'Seeded', url: 'http://127.0.0.1:9/hook', event: 'payment_received' });
  webhooks.wu_do_event('payment_received', { n: 1 });
  return { hp, agent };
}

/** Admin links in a page (no nonce: following them changes nothing). */
function adminLinks(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/href="(\/wp-admin\/network\/[^"#]*)"/g)) {
    const href = m[1]!.replace(/&amp;/g, '&');
    if (!/_wpnonce|action=(delete|logout)/.test(href)) out.push(href);
  }
  return out;
}

interface Form {
  action: string;
  fields: Record<string, string>;
}

/** The POST forms of a page with the values a browser would send untouched (first option, checked boxes). */
function postForms(html: string, pageUrl: string): Form[] {
  const forms: Form[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attrs = m[1]!;
    if (!/method="post"/i.test(attrs)) continue;
    const id = /\bid="([^"]+)"/.exec(attrs)?.[1];
    const action = (/\baction="([^"]*)"/.exec(attrs)?.[1] ?? pageUrl).replace(/&amp;/g, '&');
    if (!action.startsWith('/wp-admin/network/')) continue;
    let body = m[2]!;
    // Controls outside the form bound to it with form="id".
    if (id) for (const c of html.matchAll(new RegExp(`<(?:input|button|select)[^>]*\\bform="${id}"[^>]*>`, 'g'))) body += c[0];
    const fields: Record<string, string> = {};
    for (const i of body.matchAll(/<input\b([^>]*)>/g)) {
      const a = i[1]!;
      const name = /\bname="([^"]+)"/.exec(a)?.[1];
      if (!name) continue;
      const type = /\btype="([^"]+)"/.exec(a)?.[1] ?? 'text';
      if ((type === 'checkbox' || type === 'radio') && !/\bchecked\b/.test(a)) continue;
      if (type === 'submit') continue;
      fields[name] = (/\bvalue="([^"]*)"/.exec(a)?.[1] ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"');
    }
    for (const s of body.matchAll(/<select\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
      const selected = /<option\b[^>]*\bselected\b[^>]*value="([^"]*)"|<option\b[^>]*value="([^"]*)"[^>]*\bselected\b/.exec(s[2]!);
      const first = /<option\b[^>]*value="([^"]*)"/.exec(s[2]!);
      fields[s[1]!] = selected?.[1] ?? selected?.[2] ?? first?.[1] ?? '';
    }
    for (const t of body.matchAll(/<textarea\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[t[1]!] = t[2]!;
    const button = /<button\b[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"/.exec(body);
    if (button) fields[button[1]!] = button[2]!;
    forms.push({ action, fields });
  }
  return forms;
}

describe('fault injection: every store method and every admin screen under SQLITE_BUSY, FULL, IOERR and CORRUPT', function () {
  sqliteHostOnly('SQLite fault injection (config.faults wraps the SQLite connection) and snapshots of sqlite_master; PostgreSQL faults are tested with a real database cut off in test/core/postgres-host.test.ts');
  this.timeout(120_000);
  const counts = { storeMethods: 0, screens: 0, forms: 0, faultedCalls: 0 };
  after(() => {
    // The numbers the issue asks for (calls faulted, screens walked), in the test output.
    console.log(`      fault walk: ${counts.storeMethods} store methods, ${counts.screens} screens, ${counts.forms} forms; ${counts.faultedCalls} database calls faulted`);
  });

  it('the wrapper fails calls as SQLite does: codes, writes-only plans, skip and times, transactions', async () => {
    const faults = new FaultInjector();
    const hp = await makeApp({ faults });
    try {
      faults.fail('SQLITE_FULL', { scope: 'writes', skip: 1, times: 1 });
      expect(hp.host.options.get_site_option('site_name'), 'reads pass a writes-only plan').to.be.a('string');
      hp.host.options.update_site_option('a', 1);
      expect(() => hp.host.options.update_site_option('b', 2)).to.throw().with.property('code', 'SQLITE_FULL');
      hp.host.options.update_site_option('c', 3);
      expect(faults.lastFault).to.deep.include({ code: 'SQLITE_FULL' });
      faults.fail('SQLITE_BUSY');
      const tx = hp.db.transaction(() => hp.db.prepare('SELECT 1').get());
      expect(() => tx()).to.throw().with.property('code', 'SQLITE_BUSY');
      faults.clear();
      expect(tx()).to.deep.equal({ 1: 1 });
      counts.faultedCalls += faults.faulted;
    } finally {
      await hp.close();
    }
  });

  it('every admin screen: each fault gives a 503 that says what happened, never an exit, and the screen serves again once it clears', async () => {
    const faults = new FaultInjector();
    const { hp, agent } = await seededHost(faults);
    try {
      const queue = ['/wp-admin/network/'];
      for (const top of hp.host.menu.entries()) for (const p of [top, ...top.submenu]) queue.push(`/wp-admin/network/${p.url}`);
      const seen = new Set<string>();
      while (queue.length && seen.size < 120) {
        const url = queue.shift()!;
        if (seen.has(url)) continue;
        seen.add(url);
        const before = faults.calls;
        const clean = await agent.get(url);
        if (clean.status !== 200) continue;
        for (const link of adminLinks(clean.text)) if (!seen.has(link)) queue.push(link);
        const n = faults.calls - before;
        counts.screens++;
        // Each code fails a different call of the page: the first (the session read), the last, and two between.
        for (const [c, code] of FAULT_CODES.entries()) {
          const skip = Math.round((c * (n - 1)) / (FAULT_CODES.length - 1));
          faults.fail(code, { skip, times: 1 });
          const res = await agent.get(url);
          const hit = faults.lastFault;
          faults.clear();
          faults.lastFault = null;
          // The page made fewer calls this time (a first view creates things once): nothing failed.
          if (!hit) {
            expect(res.status, `${url} (no call ${skip + 1} this time)`).to.equal(200);
            continue;
          }
          if (SESSION_WRITE.test(hit.sql)) {
            expect(res.status, `${url}: a failed session touch after the page was rendered`).to.equal(200);
            continue;
          }
          expect(res.status, `${url} under ${code} (call ${skip + 1} of ${n}: ${hit?.sql.slice(0, 100)}): ${res.text.slice(0, 200)}`).to.equal(503);
          expect(res.headers['retry-after']).to.match(/^\d+$/);
          expect(res.text).to.match(/The database (is busy|is full|could not be read or written|file is damaged)/);
          expect(res.text).to.include('Nothing was changed');
        }
        const again = await agent.get(url);
        expect(again.status, `${url} after the fault cleared`).to.equal(200);
      }
      counts.faultedCalls += faults.faulted;
      expect(counts.screens).to.be.greaterThan(25);
    } finally {
      await hp.close();
    }
  });

  it('REST: each fault is a 503 storage_unavailable with Retry-After, as on admin pages, never a 500; the route serves again once it clears', async () => {
    const faults = new FaultInjector();
    const { hp } = await seededHost(faults);
    try {
      const auth = apiKeyAuth(hp);
      const call = () => request(hp.app).get('/wp-json/wu/v2/webhook').set('Authorization', auth);
      const before = faults.calls;
      expect((await call()).status).to.equal(200);
      const n = faults.calls - before;
      expect(n, 'the call reads the database').to.be.greaterThan(0);
      // Each code fails a different call: the first (the authentication), the last, and two between.
      for (const [c, code] of FAULT_CODES.entries()) {
        const skip = Math.round((c * (n - 1)) / (FAULT_CODES.length - 1));
        faults.fail(code, { skip, times: 1 });
        const res = await call();
        const hit = faults.lastFault;
        faults.clear();
        faults.lastFault = null;
        expect(hit, `call ${skip + 1} of ${n} was made`).to.not.equal(null);
        expect([res.status, res.body.code], `under ${code} (call ${skip + 1} of ${n}: ${hit?.sql.slice(0, 100)}): ${JSON.stringify(res.body)}`).to.deep.equal([503, 'storage_unavailable']);
        expect(res.headers['retry-after']).to.equal(code === 'SQLITE_CORRUPT' ? '60' : '5');
        expect(res.body.message).to.match(/The database (is busy|is full|could not be read or written|file is damaged)/).and.include('Nothing was changed');
        expect(res.body.data).to.deep.equal({ status: 503 });
      }
      expect((await call()).status, 'after the faults cleared').to.equal(200);
      counts.faultedCalls += faults.faulted;
    } finally {
      await hp.close();
    }
  });

  it('every form on every admin screen: a write failing at any step leaves nothing half-written, and the same submit then succeeds', async () => {
    const faults = new FaultInjector();
    const { hp, agent } = await seededHost(faults);
    try {
      const pages = ['/wp-admin/network/'];
      for (const top of hp.host.menu.entries()) for (const p of [top, ...top.submenu]) pages.push(`/wp-admin/network/${p.url}`);
      // The Plugins screen last: deactivating a plugin removes its screens.
      pages.sort((a, b) => Number(a.includes('plugins.php')) - Number(b.includes('plugins.php')));
      const done = new Set<string>();
      for (const url of pages) {
        const page = await agent.get(url);
        if (page.status !== 200) continue;
        for (const form of postForms(page.text, url)) {
          const key = `${form.action} ${JSON.stringify({ ...form.fields, _wpnonce: '' })}`;
          if (done.has(key) || form.action.includes('wp-login.php')) continue;
          done.add(key);
          counts.forms++;
          for (let k = 0; k < 50; k++) {
            const code: FaultCode = FAULT_CODES[k % FAULT_CODES.length]!;
            const before = snapshot(hp.db);
            faults.lastFault = null;
            faults.fail(code, { scope: 'writes', skip: k, times: 1 });
            const res = await agent.post(form.action).type('form').send(form.fields);
            const hit = faults.lastFault as { sql: string } | null;
            faults.clear();
            if (!hit) {
              expect(res.status, `${form.action} ${JSON.stringify(form.fields)} without a fault`).to.be.lessThan(500);
              break;
            }
            if (SESSION_WRITE.test(hit.sql)) break; // the change was made; only the flash notice was lost
            const known = KNOWN.find((x) => x.form.test(`${form.action} ${JSON.stringify(form.fields)}`) && x.sql.test(hit.sql));
            if (known && res.status !== 503) {
              expect(res.status, known.why).to.be.lessThan(500);
              knownSeen.add(known.why);
              continue;
            }
            expect(res.status, `${form.action} ${JSON.stringify(form.fields)}: write ${k + 1} failed with ${code} (${hit.sql.slice(0, 80)})`).to.equal(503);
            expect(changedTables(before, snapshot(hp.db)), `${form.action} ${JSON.stringify(form.fields)}: write ${k + 1} failed (${hit.sql.slice(0, 80)}) — nothing may be half-written`).to.deep.equal([]);
          }
        }
      }
      counts.faultedCalls += faults.faulted;
      expect(counts.forms).to.be.greaterThan(20);
    } finally {
      await hp.close();
    }
  });

  it('every store method: a faulted call throws the storage error (or hands it to the callback) and changes nothing', async () => {
    const faults = new FaultInjector();
    const { hp } = await seededHost(faults);
    try {
      const stores = await storeInstances(hp);
      const untouched: string[] = [];
      for (const [name, store] of stores) {
        for (const method of methodsOf(store)) {
          const args = argsFor(name, method, store);
          // Find out whether the call reaches the database with these arguments.
          const probeBefore = faults.calls;
          try {
            await callStore(store, method, args);
          } catch {
            /* the clean call may refuse the sample arguments after reaching the database */
          }
          if (faults.calls === probeBefore) {
            untouched.push(`${name}.${method}`);
            continue;
          }
          for (const code of FAULT_CODES) {
            const before = snapshot(hp.db);
            faults.fail(code);
            let error: unknown;
            try {
              await callStore(store, method, args);
            } catch (e) {
              error = e;
            }
            faults.clear();
            expect(isStorageError(error), `${name}.${method} under ${code}: ${String(error)}`).to.equal(true);
            expect(changedTables(before, snapshot(hp.db)), `${name}.${method} under ${code} changed data`).to.deep.equal([]);
          }
          counts.storeMethods++;
        }
      }
      counts.faultedCalls += faults.faulted;
      // Methods that never touch the database with any arguments (pure helpers) are listed here.
      // DatabaseRateLimitStore.init is express-rate-limit's configuration hook (it stores the window);
      // SitesStore.on binds the store to a transaction (its queries are walked on the store itself).
      expect(untouched, 'store methods the walk did not reach the database through').to.deep.equal(['SitesStore.on', 'DatabaseRateLimitStore.init']);
    } finally {
      await hp.close();
    }
  });
});

async function storeInstances(hp: HookpressApp): Promise<Array<[string, object]>> {
  const { OptionsStore } = await import('../../../core/options/options-store.js');
  const { UsersStore } = await import('../../../core/users/users-store.js');
  const { SitesStore } = await import('../../../core/sites/sites-store.js');
  const { ApplicationPasswordsStore } = await import('../../../core/rest/application-passwords-store.js');
  const { SiteTransientsStore } = await import('../../../core/options/site-transients-store.js');
  const { NoticesStore } = await import('../../../core/admin/notices-store.js');
  const { CronStore } = await import('../../../core/cron/cron-store.js');
  const { DatabaseSessionStore } = await import('../../../core/auth/session-store.js');
  const { DatabaseRateLimitStore } = await import('../../../core/auth/rate-limit-store.js');
  const { MembershipsStore } = await import('../../../plugins/memberships/data/store.js');
  const { WebhooksStore } = await import('../../../plugins/webhooks/data/webhooks-store.js');
  const { DeliveriesStore } = await import('../../../plugins/webhooks/data/deliveries-store.js');
  const { HealthStore } = await import('../../../plugins/webhooks/data/health-store.js');
  const { InspectorStore } = await import('../../../plugins/webhooks/data/inspector-store.js');
  const db = hp.db;
  return [
    ['OptionsStore', new OptionsStore(hp.query.db, db)],
    ['UsersStore', new UsersStore(hp.query.db, hp.query.dialect, db)],
    ['Sites', hp.host.sites],
    ['SitesStore', new SitesStore(hp.query.db, hp.query.dialect, db)],
    ['ApplicationPasswordsStore', new ApplicationPasswordsStore(hp.query.db, hp.query.dialect, db)],
    ['SiteTransientsStore', new SiteTransientsStore(hp.query.db, hp.query.dialect, db)],
    ['NoticesStore', new NoticesStore(hp.query.db, hp.query.dialect, db)],
    ['CronStore', new CronStore(hp.query.db, db)],
    ['DatabaseSessionStore', new DatabaseSessionStore(hp.query.db, Date.now)],
    ['DatabaseRateLimitStore', new DatabaseRateLimitStore(hp.query.db, 'walk:', Date.now)],
    ['MembershipsStore', new MembershipsStore(hp.query.db as never)],
    ['WebhooksStore', new WebhooksStore(hp.query.db as never, hp.query.dialect, db)],
    ['DeliveriesStore', new DeliveriesStore(db)],
    ['HealthStore', new HealthStore(hp.query.db as never, hp.query.dialect, db)],
    ['InspectorStore', new InspectorStore(hp.query.db as never, hp.query.dialect, db)],
  ];
}

/** Methods declared `private` in the stores' sources (TypeScript's private is not visible at run time). */
const PRIVATE = new Set<string>();
for (const file of ['core/options/options-store.ts', 'core/users/users-store.ts', 'core/cron/cron-store.ts', 'core/sites/sites.ts', 'core/sites/sites-store.ts', 'core/db/sync-face.ts', 'core/rest/application-passwords-store.ts', 'core/options/site-transients-store.ts', 'core/admin/notices-store.ts', 'core/auth/session-store.ts', 'core/auth/rate-limit-store.ts', 'plugins/memberships/data/store.ts', 'plugins/webhooks/data/webhooks-store.ts', 'plugins/webhooks/data/deliveries-store.ts', 'plugins/webhooks/data/health-store.ts', 'plugins/webhooks/data/inspector-store.ts']) {
  for (const m of fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8').matchAll(/^\s+private (?:async )?(\w+)[<(]/gm)) PRIVATE.add(m[1]!);
}

function methodsOf(store: object): string[] {
  const names = new Set<string>();
  for (let p = Object.getPrototypeOf(store); p && p !== Object.prototype && p.constructor.name !== 'Store' && p.constructor.name !== 'EventEmitter'; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) if (n !== 'constructor' && typeof (store as Record<string, unknown>)[n] === 'function') names.add(n);
  }
  return [...names].filter((n) => !n.startsWith('_') && !PRIVATE.has(n)).sort();
}

const NOW = Date.now();

/** Sample arguments by parameter name (ids of seeded rows, plausible values), with per-method overrides. */
function argsFor(store: string, method: string, obj: object): unknown[] {
  const special: Record<string, unknown[]> = {
    'OptionsStore.insert': ['walk_option', '"x"'],
    'OptionsStore.update': ['site_name', '"Walked"'],
    'OptionsStore.insertSync': ['walk_option', '"x"'],
    'OptionsStore.updateSync': ['site_name', '"Walked"'],
    'OptionsStore.upsert': ['site_name', '"Walked"'],
    'OptionsStore.upsertSync': ['site_name', '"Walked"'],
    'OptionsStore.cacheVersions': [['site_options', 'users']],
    'UsersStore.insert': [{ login: 'walker', email: 'walker@example.com', display_name: 'Walker', pass_hash: 'x', registered: NOW }],
    'UsersStore.insertSync': [{ login: 'walker', email: 'walker@example.com', display_name: 'Walker', pass_hash: 'x', registered: NOW }],
    'UsersStore.list': [{ limit: 10, offset: 0, orderby: 'login', order: 'asc' }],
    'UsersStore.listSync': [{ limit: 10, offset: 0, orderby: 'login', order: 'asc' }],
    'Sites.create': [{ slug: 'walked', title: 'Walked', admin_email: 'w@example.com' }],
    'Sites.list': [{ limit: 10, offset: 0, orderby: 'id', order: 'asc' }],
    'Sites.createAsync': [{ slug: 'walked', title: 'Walked', admin_email: 'w@example.com' }],
    'Sites.listAsync': [{ limit: 10, offset: 0, orderby: 'id', order: 'asc' }],
    // Without `trx` (an open transaction to run in): the store's own queries.
    'Sites.getAsync': [1],
    'SitesStore.insert': [{ slug: 'walked', title: 'Walked', admin_email: 'w@example.com', registered: NOW, public: 1 }],
    'SitesStore.insertSync': [{ slug: 'walked', title: 'Walked', admin_email: 'w@example.com', registered: NOW, public: 1 }],
    'SitesStore.list': [{ limit: 10, offset: 0, orderby: 'id', order: 'asc' }],
    'SitesStore.listSync': [{ limit: 10, offset: 0, orderby: 'id', order: 'asc' }],
    'ApplicationPasswordsStore.insert': [{ uuid: 'walk-uuid', user_id: 1, app_id: '', name: 'Walked', password_hash: 'h', created: NOW }],
    'ApplicationPasswordsStore.insertSync': [{ uuid: 'walk-uuid', user_id: 1, app_id: '', name: 'Walked', password_hash: 'h', created: NOW }],
    'NoticesStore.put': [{ id: 'walk', type: 'info', message: 'Walked', created: NOW }],
    'NoticesStore.putSync': [{ id: 'walk', type: 'info', message: 'Walked', created: NOW }],
    'SiteTransientsStore.set': ['walk', '1', null],
    'SiteTransientsStore.setSync': ['walk', '1', null],
    'SitesStore.delete': [2],
    'SitesStore.deleteSync': [2],
    'Sites.delete': [2],
    'Sites.deleteAsync': [2],
    'Sites.ensureMainSite': ['Main Site', 'admin@example.com'],
    'CronStore.insert': [{ hook: 'walk', args: '[]', timestamp: 1, schedule: null, interval: null }],
    'CronStore.insertSync': [{ hook: 'walk', args: '[]', timestamp: 1, schedule: null, interval: null }],
    'CronStore.claim': [{ id: 1, timestamp: 1 }, null],
    'DatabaseSessionStore.set': ['walk-sid', { cookie: { originalMaxAge: 1000 } }],
    'DatabaseSessionStore.touch': ['walk-sid', { cookie: { originalMaxAge: 1000 } }],
    'MembershipsStore.insert': ['mb_products', { name: 'Walked', price_cents: 1 }],
    'MembershipsStore.update': ['mb_products', 1, { name: 'Walked' }],
    'MembershipsStore.all': ['mb_products'],
    'MembershipsStore.get': ['mb_products', 1],
    'MembershipsStore.delete': ['mb_payments', 1],
    'MembershipsStore.list': ['mb_products', { limit: 10, offset: 0 }],
    'MembershipsStore.count': ['mb_products'],
    'MembershipsStore.transaction': [(s: { insert: (t: string, r: object) => Promise<number> }) => s.insert('mb_products', { name: 'In a transaction', price_cents: 1 })],
    'WebhooksStore.insert': [{ name: 'W', url: 'http://127.0.0.1:9/w', event: 'payment_received', active: 1, created_at: NOW, updated_at: NOW, event_count: 0 }],
    'WebhooksStore.update': [1, { name: 'Walked' }],
    'WebhooksStore.list': [{ limit: 10, offset: 0 }],
    'WebhooksStore.insertAsync': [{ name: 'W', url: 'http://127.0.0.1:9/w', event: 'payment_received', active: 1, created_at: NOW, updated_at: NOW, event_count: 0 }],
    'WebhooksStore.updateAsync': [1, { name: 'Walked' }],
    'WebhooksStore.listAsync': [{ limit: 10, offset: 0 }],
    // Without `on` (the write's own transaction, PostgreSQL's outbox path): the store's own query.
    'WebhooksStore.activeForAsync': ['payment_received'],
    'DeliveriesStore.list': [{ limit: 10, offset: 0 }],
    'DeliveriesStore.releaseLeases': [[1], NOW],
    'DeliveriesStore.recordAttempts': [[]],
    'HealthStore.bucketsMany': [[1], 0, 3600_000, 3],
    'HealthStore.bucketsManyAsync': [[1], 0, 3600_000, 3],
    'InspectorStore.createInbox': [{ token: 'walk-token', created_by: 1, created_at: NOW, expires_at: NOW + 1000 }],
    'InspectorStore.createInboxAsync': [{ token: 'walk-token', created_by: 1, created_at: NOW, expires_at: NOW + 1000 }],
  };
  const key = `${store}.${method}`;
  if (special[key]) return special[key]!;
  const fn = (obj as Record<string, (...a: unknown[]) => unknown>)[method]!;
  const params = /^[^(]*\(([^)]*)\)/.exec(fn.toString())?.[1] ?? '';
  return params
    .split(',')
    .map((p) => p.trim().replace(/[=:].*$/, '').trim())
    .filter(Boolean)
    .map((name) => {
      if (/^cb$|callback/i.test(name)) return undefined;
      if (/ids$/i.test(name)) return [1];
      if (/id$/i.test(name) || name === 'id') return 1;
      if (/^(now|since|until|before|timestamp|nowSeconds)$/.test(name)) return NOW;
      if (/^(limit|batch|count|keep|leaseMs|bucketMs)$/.test(name)) return 10;
      if (name === 'q') return { limit: 10, offset: 0 };
      if (name === 'patch') return {};
      if (name === 'data') return { cookie: {} };
      return 'walk';
    });
}

/** Calls a store method, turning callback errors (express-session's store API) into throws. */
async function callStore(store: object, method: string, args: unknown[]): Promise<unknown> {
  const fn = (store as Record<string, (...a: unknown[]) => unknown>)[method]!;
  if (store.constructor.name === 'DatabaseSessionStore' && ['get', 'set', 'destroy', 'touch'].includes(method)) {
    return new Promise((resolve, reject) => {
      fn.call(store, ...args.slice(0, method === 'get' || method === 'destroy' ? 1 : 2), (err: unknown, value?: unknown) => (err ? reject(err) : resolve(value)));
    });
  }
  return await fn.apply(store, args);
}
