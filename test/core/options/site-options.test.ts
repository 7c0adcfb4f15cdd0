import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { makeApp } from '../../helpers/app.js';

describe('core/options site options', () => {
  let hp: HookpressApp;
  let opts: HookpressApp['host']['options'];
  beforeEach(async () => {
    hp = await makeApp();
    opts = hp.host.options;
  });
  afterEach(() => hp.close());

  it('stores JSON values and returns the default (false) when absent', () => {
    expect(opts.get_site_option('nothing')).to.equal(false);
    expect(opts.get_site_option('nothing', 'dflt')).to.equal('dflt');
    expect(opts.add_site_option('thing', { a: [1, 2], b: 'x' })).to.equal(true);
    expect(opts.get_site_option('thing')).to.deep.equal({ a: [1, 2], b: 'x' });
    expect(opts.add_site_option('thing', 'again'), 'add does not overwrite').to.equal(false);
  });

  it('returns copies: mutating a read value does not change the stored one', () => {
    opts.add_site_option('list', [1]);
    (opts.get_site_option('list') as number[]).push(2);
    expect(opts.get_site_option('list')).to.deep.equal([1]);
  });

  it('update creates a missing option, reports false when unchanged, and persists', async () => {
    expect(opts.update_site_option('n', 1)).to.equal(true);
    expect(opts.update_site_option('n', 1)).to.equal(false);
    expect(opts.update_site_option('n', 2)).to.equal(true);
    await opts.flush();
    const row = await hp.query.db.selectFrom('site_options').select('value').where('name', '=', 'n').executeTakeFirstOrThrow();
    expect(JSON.parse(row.value)).to.equal(2);
  });

  it('fires WordPress’s option hooks in order', () => {
    const seen: string[] = [];
    const { hooks } = hp;
    hooks.add_filter('pre_site_option_color', (v: unknown) => (seen.push('pre_site_option_color'), v));
    hooks.add_filter('site_option_color', (v: unknown) => (seen.push('site_option_color'), v));
    hooks.add_filter('pre_update_site_option_color', (v: string, old: unknown) => (seen.push(`pre_update_site_option_color:${String(old)}`), v.toUpperCase()), 10, 2);
    hooks.add_action('add_site_option_color', (name: string, v: unknown) => void seen.push(`add_site_option_color:${name}=${String(v)}`), 10, 2);
    hooks.add_action('update_site_option_color', (_n: string, v: unknown, old: unknown) => void seen.push(`update_site_option_color:${String(old)}->${String(v)}`), 10, 3);
    hooks.add_action('update_site_option', (name: string) => void seen.push(`update_site_option:${name}`));
    hooks.add_action('delete_site_option_color', (name: string) => void seen.push(`delete_site_option_color:${name}`));
    opts.add_site_option('color', 'red');
    opts.update_site_option('color', 'blue');
    expect(opts.get_site_option('color')).to.equal('BLUE');
    opts.delete_site_option('color');
    expect(seen).to.deep.equal([
      'add_site_option_color:color=red',
      'pre_site_option_color',
      'site_option_color',
      'pre_update_site_option_color:red',
      'update_site_option_color:red->BLUE',
      'update_site_option:color',
      'pre_site_option_color',
      'site_option_color',
      'delete_site_option_color:color',
    ]);
    expect(opts.get_site_option('color')).to.equal(false);
  });

  it('a pre_site_option filter short-circuits the read', () => {
    opts.add_site_option('mode', 'db');
    hp.hooks.add_filter('pre_site_option_mode', () => 'forced');
    expect(opts.get_site_option('mode')).to.equal('forced');
  });

  it('rejects empty names and values that cannot be JSON', () => {
    expect(() => opts.get_site_option('')).to.throw(/non-empty/);
    expect(() => opts.add_site_option('fn', () => 1)).to.throw(/cannot be stored as JSON/);
  });
});
