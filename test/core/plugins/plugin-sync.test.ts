import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import request from 'supertest';
import type { HookpressApp } from '../../../core/app.js';
import { adminAgent, type AdminAgent } from '../../../core/testing/admin-agent.js';
import { FIXTURE_PLUGINS, firstPassOnly, HOST_BACKEND, loginAgent, makeApp } from '../../helpers/app.js';
import { freshDatabaseUrl, TEST_DATABASE_URL } from '../../helpers/backends.js';
import { onOneDataDir } from '../../helpers/two-hosts.js';

// The module instance both hosts load (same URL): its counters add up what ran in either.
const { state } = (await import(pathToFileURL(path.join(FIXTURE_PLUGINS, 'sync-demo', 'index.ts')).href)) as {
  state: { activations: number; deactivations: number; loads: number; inits: number };
};

const SLUG = 'sync-demo';
const PAGE = `/wp-admin/network/admin.php?page=${SLUG}`;
const PLUGINS = '/wp-admin/network/plugins.php';

/** Resolves when `event` happens, rejects after `ms` (a deadline, not a sleep). */
function within<T>(ms: number, what: string, event: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([event, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Resolves once `hp` reloaded its options (another process's write reached it) with `slug`'s
 * activity as `active`, and has loaded or unloaded the plugin accordingly.
 */
function follows(hp: HookpressApp, active: boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    const off = hp.optionsSync.subscribe(() => {
      const option = hp.host.options.get_site_option<Record<string, number>>('active_sitewide_plugins', {});
      if (Object.hasOwn(option, SLUG) !== active) return;
      off();
      // The host's own listener (subscribed at start, so first) has queued the plugins' sync.
      void (hp.plugins.pendingSync() ?? Promise.resolve()).then(resolve);
    });
  });
}

type Make = (overrides?: Parameters<typeof makeApp>[0]) => Promise<HookpressApp>;

/** Two hosts on one database of `backend`: SQLite (one DATA_DIR, as a host and the CLI) or PostgreSQL. */
async function onTwoHosts(backend: 'sqlite' | 'postgres', test: (a: HookpressApp, b: HookpressApp) => Promise<void>, overrides: Parameters<typeof makeApp>[0] = {}): Promise<void> {
  const make: Make = (more = {}) => makeApp({ pluginsDir: FIXTURE_PLUGINS, pluginSlugs: [SLUG], ...overrides, ...more });
  if (backend === 'sqlite') return onOneDataDir((dir) => make(dir), (hp) => hp.close(), test);
  const url = await freshDatabaseUrl();
  const dataDir = path.join('/nonexistent', 'hookpress-pg-test');
  const a = await make({ databaseUrl: url, dataDir });
  let b: HookpressApp | undefined;
  try {
    b = await make({ databaseUrl: url, dataDir });
    await test(a, b);
  } finally {
    await b?.close();
    await a.close();
  }
}

/** Lets `b` learn of `a`'s write: PostgreSQL's notification does it; on SQLite the poll the timer runs, now. */
async function deliver(backend: string, b: HookpressApp, active: boolean, write: () => Promise<unknown>): Promise<void> {
  const followed = follows(b, active);
  await write();
  if (backend === 'sqlite') void b.optionsSync.poll();
  await within(1000, `host B following the ${active ? 'activation' : 'deactivation'}`, followed);
}

async function pluginAction(admin: AdminAgent, action: 'activate' | 'deactivate'): Promise<void> {
  const res = await admin.submit(PLUGINS, { action, plugin: SLUG }, { marker: `value="${SLUG}"` });
  expect(res.status).to.equal(303);
  expect((await admin.follow(res)).text).to.include(`Plugin “Sync Demo” network ${action}d.`);
}

const backends: Array<'sqlite' | 'postgres'> = TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

for (const backend of backends) {
  describe(`core/plugins: Network Activate / Deactivate reach the other host processes on ${backend}`, function () {
    firstPassOnly();
    this.timeout(30_000);
    beforeEach(() => Object.assign(state, { activations: 0, deactivations: 0, loads: 0, inits: 0 }));

    it('activated through A: B loads it (page, public route, hooks, init) without running its activation again; deactivated through A: B unloads it', () =>
      onTwoHosts(backend, async (a, b) => {
        const onA = adminAgent(await loginAgent(a));
        const onB = adminAgent(await loginAgent(b));
        expect((await onB.agent.get(PAGE)).status).to.equal(404);
        const activatedOnB: string[] = [];
        b.hooks.add_action('activated_plugin', (slug: string) => void activatedOnB.push(slug));

        await deliver(backend, b, true, () => pluginAction(onA, 'activate'));
        expect(b.plugins.apiOf(SLUG), 'loaded in B').to.not.equal(undefined);
        const page = await onB.agent.get(PAGE);
        expect(page.status).to.equal(200);
        expect(page.text).to.include('Sync demo page');
        expect((await request(b.app).get('/sync-demo/ping')).text).to.equal('pong');
        expect(b.hooks.apply_filters('sync_demo_greeting', 'default')).to.equal('hello from sync-demo');
        expect((await onB.page(PLUGINS)).text).to.match(/id="plugin-sync-demo"[^]*?Network Active/);
        // `activate` ran once (in A); `load` and its init callback in each host.
        expect(state).to.include({ activations: 1, loads: 2, inits: 2 });
        // B's other plugins hear of it (they keep per-process registries, e.g. the webhooks event catalogue).
        expect(activatedOnB).to.deep.equal([SLUG]);

        const deactivatedOnB: string[] = [];
        b.hooks.add_action('deactivated_plugin', (slug: string) => void deactivatedOnB.push(slug));
        await deliver(backend, b, false, () => pluginAction(onA, 'deactivate'));
        expect(b.plugins.apiOf(SLUG)).to.equal(undefined);
        expect((await onB.agent.get(PAGE)).status).to.equal(404);
        expect((await request(b.app).get('/sync-demo/ping')).status).to.equal(404);
        expect(b.hooks.has_filter('sync_demo_greeting')).to.equal(false);
        expect(b.hooks.apply_filters('sync_demo_greeting', 'default')).to.equal('default');
        expect(deactivatedOnB).to.deep.equal([SLUG]);
        expect(state).to.include({ activations: 1, deactivations: 1 });
        expect((await onB.page(PLUGINS)).text).to.match(/id="plugin-sync-demo"[^]*?Inactive/);
      }));

    it('a plugin that fails to load in B is deactivated with a notice, as at start, and A unloads it in turn', () =>
      onTwoHosts(backend, async (a, b) => {
        b.hooks.add_filter('sync_demo_fail_load', () => true);
        const onA = adminAgent(await loginAgent(a));
        // B fails to load it and deactivates it for the network; A follows that deactivation.
        const aFollows = follows(a, false);
        await deliver(backend, b, true, () => pluginAction(onA, 'activate'));
        expect(b.plugins.apiOf(SLUG)).to.equal(undefined);
        expect(b.plugins.isActive(SLUG)).to.equal(false);
        const onB = adminAgent(await loginAgent(b));
        expect((await onB.page('/wp-admin/network/')).text).to.include('The plugin “Sync Demo” was deactivated because it failed while loading: sync-demo cannot load here');
        if (backend === 'sqlite') void a.optionsSync.poll();
        await within(1000, 'host A following the deactivation', aFollows);
        expect(a.plugins.apiOf(SLUG)).to.equal(undefined);
        expect((await onA.agent.get(PAGE)).status).to.equal(404);
        expect(state).to.include({ activations: 1, deactivations: 0 });
      }));
  });
}

describe('core/plugins: on SQLite a request to the other host sees the activation at once', () => {
  firstPassOnly();
  beforeEach(() => Object.assign(state, { activations: 0, deactivations: 0, loads: 0, inits: 0 }));

  it('the first request B serves after A activated the plugin waits for B to load it (no timer involved)', () =>
    onTwoHosts('sqlite', async (a, b) => {
      const onB = await loginAgent(b);
      await a.plugins.activate(SLUG);
      // B's request checks data_version, reloads the options and loads the plugin before it is routed.
      const page = await onB.get(PAGE);
      expect(page.status).to.equal(200);
      expect(state).to.include({ activations: 1, loads: 2 });
      await a.plugins.deactivate(SLUG);
      expect((await onB.get(PAGE)).status).to.equal(404);
    }));
});

describe('core/plugins: a plugin another process activated that this process does not have', () => {
  firstPassOnly();
  it('is not loaded here, logged, and stays active for the network (not deactivated)', async () => {
    const logs: string[] = [];
    const logDestination = { write: (line: string) => void logs.push(line) } as unknown as NodeJS.WritableStream;
    let made = 0;
    await onOneDataDir(
      // B's plugins folder (pluginSlugs) lacks sync-demo: a process of an older deploy.
      (dir) => makeApp({ pluginsDir: FIXTURE_PLUGINS, ...(made++ === 0 ? { pluginSlugs: [SLUG] } : { pluginSlugs: [], logLevel: 'error', logDestination }), ...dir }),
      (hp) => hp.close(),
      async (a, b) => {
        await a.plugins.activate(SLUG);
        const onB = await loginAgent(b);
        expect((await onB.get('/wp-admin/network/')).status).to.equal(200);
        expect(b.plugins.apiOf(SLUG)).to.equal(undefined);
        expect(b.plugins.isActive(SLUG)).to.equal(true);
        a.optionsSync.check();
        expect(a.plugins.isActive(SLUG) && a.plugins.apiOf(SLUG) !== undefined, 'still active and loaded in A').to.equal(true);
        const line = logs.map((l) => JSON.parse(l) as { plugin?: string; msg: string }).find((l) => l.plugin === SLUG);
        expect(line?.msg).to.match(/network-activated by another process is not in this process's plugins folder; not loaded/);
      },
    );
  });

  it('a process starting without it (the CLI, an older deploy) leaves it active for the network and loaded elsewhere', async () => {
    const logs: string[] = [];
    const logDestination = { write: (line: string) => void logs.push(line) } as unknown as NodeJS.WritableStream;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-missing-'));
    const a = await makeApp({ pluginsDir: FIXTURE_PLUGINS, pluginSlugs: [SLUG], dataDir: dir });
    let b: HookpressApp | undefined;
    try {
      await a.plugins.activate(SLUG);
      b = await makeApp({ pluginsDir: FIXTURE_PLUGINS, pluginSlugs: [], dataDir: dir, lockDataDir: false, logLevel: 'warn', logDestination });
      expect(b.plugins.isActive(SLUG), 'still network-active').to.equal(true);
      expect(b.plugins.apiOf(SLUG)).to.equal(undefined);
      a.optionsSync.check();
      expect(a.plugins.isActive(SLUG) && a.plugins.apiOf(SLUG) !== undefined, 'still active and loaded in A').to.equal(true);
      const line = logs.map((l) => JSON.parse(l) as { plugin?: string; msg: string }).find((l) => l.plugin === SLUG);
      expect(line?.msg).to.match(/not in this process's plugins folder; not loaded here, left network-active/);
    } finally {
      await b?.close();
      await a.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Host A has sync-demo; host B's plugins folder (a temporary one) does not, until the test links
 * the folder in: a plugin rolled out machine by machine. Two hosts on one PostgreSQL database on
 * the PostgreSQL pass, on one SQLite DATA_DIR on the SQLite pass. `startB` starts B (before or
 * after the activation, as the test chooses).
 */
async function withFolderLateOnB(test: (a: HookpressApp, startB: () => Promise<HookpressApp>, bFolder: string) => Promise<void>): Promise<void> {
  const bFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-late-plugins-'));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-late-data-'));
  const storage = HOST_BACKEND === 'postgres' ? { databaseUrl: await freshDatabaseUrl(), dataDir: path.join('/nonexistent', 'hookpress-pg-test') } : { dataDir };
  const a = await makeApp({ pluginsDir: FIXTURE_PLUGINS, pluginSlugs: [SLUG], ...storage });
  let b: HookpressApp | undefined;
  try {
    await test(a, async () => (b = await makeApp({ pluginsDir: bFolder, pluginSlugs: [SLUG], ...storage, lockDataDir: false })), bFolder);
  } finally {
    await b?.close();
    await a.close();
    fs.rmSync(bFolder, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** B lists the network-active plugin it lacks, with a Network Deactivate, and does not serve its page. */
async function expectListedMissing(b: HookpressApp): Promise<void> {
  const listing = b.plugins.list().find((p) => p.slug === SLUG);
  expect(listing?.active, 'listed network-active').to.equal(true);
  expect(listing?.error).to.equal(`“${SLUG}” is network-active but its folder is missing on this server.`);
  const onB = adminAgent(await loginAgent(b));
  const screen = await onB.page(PLUGINS);
  expect(screen.text).to.include('its folder is missing on this server');
  expect(screen.text).to.include(`aria-label="Network Deactivate ${SLUG}"`);
  expect((await onB.agent.get(PAGE)).status).to.equal(404);
}

/** Links the folder into B's plugins folder, loads B's Plugins screen: B loads it, without activating it again. */
async function expectLoadedOnArrival(b: HookpressApp, bFolder: string): Promise<void> {
  const activations = state.activations;
  const loads = state.loads;
  fs.symlinkSync(path.join(FIXTURE_PLUGINS, SLUG), path.join(bFolder, SLUG));
  // The module B imports through its folder (the same instance as A's: Node follows the link).
  const linked = (await import(pathToFileURL(path.join(bFolder, SLUG, 'index.ts')).href)) as { state: typeof state };
  expect(linked.state, 'one module instance').to.equal(state);
  const onB = adminAgent(await loginAgent(b));
  const screen = await onB.page(PLUGINS);
  expect(screen.text).not.to.include('could not be loaded');
  expect(screen.text).to.include(`aria-label="Network Deactivate Sync Demo"`);
  expect(b.plugins.apiOf(SLUG), 'loaded in B').not.to.equal(undefined);
  expect((await onB.page(PAGE)).text).to.include('Sync demo page');
  expect((await onB.agent.get('/sync-demo/ping')).text).to.equal('pong');
  expect(state.loads, 'load ran once more (in B)').to.equal(loads + 1);
  expect(state.activations, 'activate did not run again').to.equal(activations);
}

describe(`core/plugins: a network-active plugin whose folder reaches this process later (${HOST_BACKEND})`, () => {
  it('followed while missing (activated through A): listed as missing on B with a Network Deactivate; once the folder is there, the Plugins screen loads it', () =>
    withFolderLateOnB(async (a, startB, bFolder) => {
      const b = await startB();
      await deliver(HOST_BACKEND, b, true, () => a.plugins.activate(SLUG));
      await expectListedMissing(b);
      await expectLoadedOnArrival(b, bFolder);
      // A later sync leaves it loaded, once.
      await b.plugins.sync();
      expect(b.plugins.apiOf(SLUG)).not.to.equal(undefined);
    }));

  it('missing when B started: loaded by a rescan once the folder is there', () =>
    withFolderLateOnB(async (a, startB, bFolder) => {
      await a.plugins.activate(SLUG);
      const b = await startB();
      await expectListedMissing(b);
      await expectLoadedOnArrival(b, bFolder);
    }));

  it("Network Deactivate on B's missing listing deactivates it for the network: A unloads it", () =>
    withFolderLateOnB(async (a, startB) => {
      await a.plugins.activate(SLUG);
      const b = await startB();
      const onB = adminAgent(await loginAgent(b));
      await deliver(HOST_BACKEND, a, false, async () => {
        const res = await onB.submit(PLUGINS, { action: 'deactivate', plugin: SLUG }, { marker: `value="${SLUG}"` });
        expect(res.status).to.equal(303);
        expect((await onB.follow(res)).text).to.include(`Plugin “${SLUG}” network deactivated.`);
      });
      expect(a.plugins.isActive(SLUG) || b.plugins.isActive(SLUG)).to.equal(false);
      expect(a.plugins.apiOf(SLUG), 'unloaded in A').to.equal(undefined);
      expect(b.plugins.list().find((p) => p.slug === SLUG), 'no longer listed on B').to.equal(undefined);
    }));
});
