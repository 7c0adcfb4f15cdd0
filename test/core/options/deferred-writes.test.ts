import { expect } from 'chai';
import pino from 'pino';
import { createHooks } from '../../../core/hooks/index.js';
import { runInUnitOfWork } from '../../../core/http/unit-of-work.js';
import type { OptionsStore } from '../../../core/options/options-store.js';
import { SiteOptions } from '../../../core/options/site-options.js';
import { CronCache } from '../../../core/cron/cron-cache.js';
import type { CronRow, CronStore } from '../../../core/cron/cron-store.js';

/** A promise the test settles: what a PostgreSQL write looks like from the caller. */
function gate<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Whether `p` has settled, looked at after the pending callbacks ran (no timers). */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 20; i++) await Promise.resolve();
  return done;
}

const silent = pino({ level: 'silent' });

describe('PostgreSQL-style writes behind WordPress’s synchronous calls: the unit of work waits for them', () => {
  it('update_site_option: the value is read back at once, and the unit of work (the request) ends only after the write committed', async () => {
    const write = gate();
    const rows = new Map<string, string>([['site_name', '"Old"']]);
    const store = {
      sync: undefined,
      version: async () => 1,
      loadAll: async () => new Map(rows),
      upsert: async (name: string, json: string) => {
        await write.promise;
        rows.set(name, json);
      },
    } as unknown as OptionsStore;
    const options = new SiteOptions(store, createHooks(), silent);
    await options.load();
    const unit = runInUnitOfWork(() => {
      expect(options.update_site_option('site_name', 'New')).to.equal(true);
      return options.get_site_option('site_name');
    });
    expect(await settled(unit), 'waits for the COMMIT').to.equal(false);
    write.resolve();
    expect(await unit).to.equal('New');
    expect(rows.get('site_name')).to.equal('"New"');
  });

  it('a failed write fails the unit of work (a 503 for a request) and the cache is reloaded from the database', async () => {
    const write = gate();
    const store = {
      sync: undefined,
      version: async () => 1,
      loadAll: async () => new Map([['site_name', '"Old"']]),
      upsert: () => write.promise,
    } as unknown as OptionsStore;
    const options = new SiteOptions(store, createHooks(), silent);
    await options.load();
    const unit = runInUnitOfWork(() => void options.update_site_option('site_name', 'New'));
    write.reject(new Error('connection terminated'));
    let failure: unknown;
    await unit.catch((error: unknown) => (failure = error));
    expect((failure as Error)?.message).to.equal('connection terminated');
    await options.flush();
    expect(options.get_site_option('site_name')).to.equal('Old');
  });

  it('the cron cache: a new event is found at once with a temporary id, gets its real id, and a delete made before the INSERT returned removes the real row', async () => {
    const inserted = gate<number>();
    const removed: number[] = [];
    const store = {
      all: async () => [] as CronRow[],
      insert: () => inserted.promise,
      // A recurring event is inserted unless the database has it already (CronStore.insertRecurring).
      insertRecurring: async () => ({ id: await inserted.promise, inserted: true }),
      remove: async (id: number) => void removed.push(id),
    } as unknown as CronStore;
    const cache = new CronCache(store, silent);
    await cache.load();
    const unit = runInUnitOfWork(() => {
      const id = cache.insertSync({ hook: 'daily_job', args: '[]', timestamp: 100, schedule: 'daily', interval: 86400 });
      expect(id).to.be.below(0);
      expect(cache.findSync('daily_job', '[]').map((r) => r.hook)).to.deep.equal(['daily_job']);
      expect(cache.deleteSync(id)).to.equal(true);
      expect(cache.allSync()).to.deep.equal([]);
    });
    expect(await settled(unit), 'waits for the INSERT and the DELETE').to.equal(false);
    inserted.resolve(42);
    await unit;
    expect(removed).to.deep.equal([42]);
  });
});
