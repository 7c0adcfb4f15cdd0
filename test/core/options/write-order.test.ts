import { expect } from 'chai';
import pino from 'pino';
import { createHooks } from '../../../core/hooks/index.js';
import type { OptionsStore } from '../../../core/options/options-store.js';
import { SiteOptions } from '../../../core/options/site-options.js';

/** A promise the test settles: what a PostgreSQL round trip looks like from the caller. */
function gate() {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}

const ticks = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

/**
 * PostgreSQL writes behind the synchronous update_site_option run in the background, each on a
 * pooled connection: found when Network Deactivate right after Network Activate sometimes left
 * the plugin active (its page answered 200) on the PostgreSQL pass of test/plugins/example-coupons.
 */
describe('site options on PostgreSQL: background writes keep their order, and a reload never goes back in time', () => {
  it('two writes of one option commit in the order they were made (the second waits for the first)', async () => {
    const rows = new Map<string, string>();
    const first = gate();
    const sent: string[] = [];
    const store = {
      sync: undefined,
      version: async () => 1,
      loadAll: async () => new Map(rows),
      upsert: async (name: string, json: string) => {
        sent.push(json);
        if (json === '{"a":1,"b":1}') await first.promise;
        rows.set(name, json);
      },
    } as unknown as OptionsStore;
    const options = new SiteOptions(store, createHooks(), pino({ level: 'silent' }));
    await options.load();
    options.update_site_option('active_sitewide_plugins', { a: 1, b: 1 });
    options.update_site_option('active_sitewide_plugins', { a: 1 });
    await ticks();
    expect(sent, 'the second is not sent while the first is in flight').to.deep.equal(['{"a":1,"b":1}']);
    first.resolve();
    await options.flush();
    expect(rows.get('active_sitewide_plugins'), 'the last value made wins').to.equal('{"a":1}');
  });

  it('a reload that read the rows before a write of ours committed reads again instead of restoring the older value', async () => {
    const rows = new Map<string, string>([['site_name', '"Old"']]);
    let version = 1;
    const write = gate();
    const read = gate();
    let reads = 0;
    const store = {
      sync: undefined,
      version: async () => version,
      loadAll: async () => {
        const snapshot = new Map(rows);
        if (++reads === 2) await read.promise;
        return snapshot;
      },
      upsert: async (name: string, json: string) => {
        await write.promise;
        rows.set(name, json);
        version++;
      },
    } as unknown as OptionsStore;
    const options = new SiteOptions(store, createHooks(), pino({ level: 'silent' }));
    await options.load();
    options.update_site_option('site_name', 'New');
    version++; // another process wrote meanwhile: the reload below reads the rows
    const reload = options.refresh();
    await ticks();
    write.resolve(); // our write commits while that read is on its way, with the rows before it
    await options.flush();
    read.resolve();
    expect(await reload).to.equal(true);
    expect(options.get_site_option('site_name')).to.equal('New');
  });
});
