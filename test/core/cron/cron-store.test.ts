import { expect } from 'chai';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { CronStore } from '../../../core/cron/cron-store.js';
import { Cron } from '../../../core/cron/cron.js';
import { createHooks } from '../../../core/hooks/index.js';
import { createLogger } from '../../../core/logger.js';
import { forEachBackend, freshDatabaseUrl, rows, TEST_DATABASE_URL, type TestDb } from '../../helpers/backends.js';
import { firstPassOnly } from '../../helpers/app.js';
import { postgresQueryLayer } from '../../../core/db/query-layer.js';

const T0 = 1_795_824_000; // unix seconds

async function storeOn(open: () => Promise<TestDb>): Promise<CronStore> {
  const { layer, sync } = await open();
  await migrateSchema(layer, 'core', coreMigrations);
  return new CronStore(layer.db, sync);
}

/** A scheduler of one host process on the database, counting the runs of every hook. */
function runner(store: CronStore, nowMs: () => number, runs: Map<string, number>): Cron {
  const hooks = createHooks();
  for (const hook of ['single', 'daily', 'hourly']) hooks.add_action(hook, async () => void runs.set(hook, (runs.get(hook) ?? 0) + 1));
  return new Cron(store, hooks, nowMs, createLogger('silent'));
}

forEachBackend('CronStore', (backend) => {
  it('lists due events oldest first, and the next due time', async () => {
    const store = await storeOn(backend.open);
    expect(await store.next()).to.equal(null);
    const late = await store.insert({ hook: 'b', args: '[]', timestamp: T0 + 10, schedule: null, interval: null });
    const early = await store.insert({ hook: 'a', args: '[1]', timestamp: T0, schedule: 'hourly', interval: 3600 });
    expect(await store.next()).to.equal(T0);
    expect((await store.due(T0 + 5, 10)).map((r) => r.id)).to.deep.equal([early]);
    expect((await store.due(T0 + 10, 10)).map((r) => r.id)).to.deep.equal([early, late]);
    expect(await store.get(early)).to.deep.equal({ id: early, hook: 'a', args: '[1]', timestamp: T0, schedule: 'hourly', interval: 3600 });
    expect((await store.all()).map((r) => r.hook)).to.deep.equal(['a', 'b']);
  });

  it('claims a run once: the first claim moves (recurring) or deletes (single) the event, a second claim of the same run fails', async () => {
    const store = await storeOn(backend.open);
    const recurring = await store.insert({ hook: 'r', args: '[]', timestamp: T0, schedule: 'hourly', interval: 3600 });
    const single = await store.insert({ hook: 's', args: '[]', timestamp: T0, schedule: null, interval: null });
    expect(await store.claim({ id: recurring, timestamp: T0 }, T0 + 3600)).to.equal(true);
    expect(await store.claim({ id: recurring, timestamp: T0 }, T0 + 3600)).to.equal(false);
    expect((await store.get(recurring))?.timestamp).to.equal(T0 + 3600);
    expect(await store.claim({ id: single, timestamp: T0 }, null)).to.equal(true);
    expect(await store.claim({ id: single, timestamp: T0 }, null)).to.equal(false);
    expect(await store.get(single)).to.equal(undefined);
  });

  it('two host processes on one database: each due run fires exactly once', async () => {
    const storeA = await storeOn(backend.open);
    const { layer, sync } = await backend.openAgain();
    const storeB = new CronStore(layer.db, sync);
    for (let i = 0; i < 20; i++) await storeA.insert({ hook: 'single', args: `[${i}]`, timestamp: T0 - i, schedule: null, interval: null });
    await storeA.insert({ hook: 'daily', args: '[]', timestamp: T0 - 30, schedule: 'daily', interval: 86_400 });
    await storeA.insert({ hook: 'hourly', args: '[]', timestamp: T0 - 7200, schedule: 'hourly', interval: 3600 });
    const runs = new Map<string, number>();
    const now = () => T0 * 1000;
    const [a, b] = await Promise.all([runner(storeA, now, runs).runDue(), runner(storeB, now, runs).runDue()]);
    expect(Object.fromEntries(runs)).to.deep.equal({ single: 20, daily: 1, hourly: 1 });
    expect(a + b).to.equal(22);
    // A recurring event missed twice over runs once, then waits for its next slot on its grid.
    expect((await storeA.all()).map((r) => [r.hook, r.timestamp])).to.deep.equal([
      ['hourly', T0 + 3600],
      ['daily', T0 - 30 + 86_400],
    ]);
  });
});

(TEST_DATABASE_URL ? describe : describe.skip)('wp_schedule_event on two PostgreSQL host processes at the same moment', function () {
  firstPassOnly();

  it('stores the recurring event once, and both caches end up with that one', async () => {
    const url = await freshDatabaseUrl();
    const layers = [await postgresQueryLayer(url, { max: 2 }), await postgresQueryLayer(url, { max: 2 })];
    try {
      await migrateSchema(layers[0]!, 'core', coreMigrations);
      const runs = new Map<string, number>();
      const [a, b] = layers.map((l) => runner(new CronStore(l.db), () => T0 * 1000, runs));
      await Promise.all([a!.load(), b!.load()]);
      // Both caches lack the event: each process's "if (!wp_next_scheduled) wp_schedule_event" passes.
      expect(a!.wp_next_scheduled('daily')).to.equal(false);
      expect(b!.wp_next_scheduled('daily')).to.equal(false);
      expect(a!.wp_schedule_event(T0 + 60, 'daily', 'daily')).to.equal(true);
      expect(b!.wp_schedule_event(T0 + 120, 'daily', 'daily')).to.equal(true);
      await Promise.all([a!.flush(), b!.flush()]);
      const stored = await rows<{ id: number; timestamp: string }>(url, "SELECT id, timestamp FROM cron_events WHERE hook = 'daily'");
      expect(stored).to.have.length(1);
      for (const cron of [a!, b!]) {
        expect(cron.wp_next_scheduled('daily')).to.equal(Number(stored[0]!.timestamp));
        expect(cron.wp_clear_scheduled_hook('daily')).to.equal(1);
      }
      // Single events are not merged: WordPress only refuses one within 10 minutes of another.
      expect(a!.wp_schedule_single_event(T0 + 60, 'single')).to.equal(true);
      expect(b!.wp_schedule_single_event(T0 + 6000, 'single')).to.equal(true);
      await Promise.all([a!.flush(), b!.flush()]);
      expect(await rows(url, "SELECT id FROM cron_events WHERE hook = 'single'")).to.have.length(2);
    } finally {
      for (const l of layers) await l.close();
    }
  });
});
