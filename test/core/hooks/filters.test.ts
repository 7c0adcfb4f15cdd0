import { expect } from 'chai';
import { createHooks, type Hooks } from '../../../core/hooks/index.js';
import { MockAction } from './mock-action.js';

// Ported from WordPress's tests/phpunit/tests/filters.php, expected results unchanged.
describe('core/hooks filters (WordPress filters.php)', () => {
  let hooks: Hooks;
  beforeEach(() => {
    hooks = createHooks();
  });

  it('a filter receives the value and returns it', () => {
    const a = new MockAction(hooks);
    hooks.add_filter('h', [a, 'filter']);
    expect(hooks.apply_filters('h', 'val')).to.equal('val');
    expect(a.hookNames).to.deep.equal(['h']);
    expect(a.args[0]).to.deep.equal(['val']);
  });

  it('remove_filter stops the filter from running', () => {
    const a = new MockAction(hooks);
    hooks.add_filter('h', [a, 'filter']);
    hooks.apply_filters('h', 'val');
    hooks.remove_filter('h', [a, 'filter']);
    expect(hooks.apply_filters('h', 'val')).to.equal('val');
    expect(a.callCount).to.equal(1);
  });

  it('passes extra arguments up to accepted_args', () => {
    const a1 = new MockAction(hooks);
    const a2 = new MockAction(hooks);
    hooks.add_filter('h', [a1, 'filter'], 10, 3);
    hooks.add_filter('h', [a2, 'filter']);
    expect(hooks.apply_filters('h', 'val', 'arg1', 'arg2')).to.equal('val');
    expect(a1.args[0]).to.deep.equal(['val', 'arg1', 'arg2']);
    expect(a2.args[0]).to.deep.equal(['val']);
  });

  it('never pads arguments when accepted_args exceeds the count', () => {
    const a = new MockAction(hooks);
    hooks.add_filter('h', [a, 'filter'], 10, 100);
    hooks.apply_filters('h', 'val');
    expect(a.args[0]).to.have.length(1);
  });

  it('runs priority 9 before priority 10', () => {
    const a = new MockAction(hooks);
    hooks.add_filter('h', [a, 'filter'], 10);
    hooks.add_filter('h', [a, 'filter2'], 9);
    hooks.apply_filters('h', 'val');
    expect(a.events.map((e) => e.method)).to.deep.equal(['filter2', 'filter']);
  });

  it('sorts priorities numerically, negatives first', () => {
    const order: number[] = [];
    for (const p of [10, -1, 100, 0, 9, -20]) {
      hooks.add_filter('h', () => void order.push(p), p);
    }
    hooks.apply_filters('h', 'v');
    expect(order).to.deep.equal([-20, -1, 0, 9, 10, 100]);
  });

  it('runs callbacks of one priority in insertion order', () => {
    const order: string[] = [];
    hooks.add_filter('h', (v: string) => v + 'a');
    hooks.add_filter('h', (v: string) => v + 'b');
    hooks.add_filter('h', (v: string) => v + 'c', 5);
    hooks.add_filter('h', (v: string) => (order.push(v), v + 'd'));
    expect(hooks.apply_filters('h', '')).to.equal('cabd');
    expect(order).to.deep.equal(['cab']);
  });

  it('chains return values; a callback returning nothing makes the value undefined', () => {
    hooks.add_filter('h', (v: number) => v + 1);
    hooks.add_filter('h', () => undefined, 11);
    expect(hooks.apply_filters('h', 1)).to.equal(undefined);
    hooks.add_filter('h2', (v: number) => v * 2);
    hooks.add_filter('h2', (v: number) => v + 1, 11);
    expect(hooks.apply_filters('h2', 5)).to.equal(11);
  });

  it('did_filter counts each application per hook, even with nothing hooked', () => {
    hooks.apply_filters('filter1', 'v');
    expect(hooks.did_filter('filter1')).to.equal(1);
    expect(hooks.did_filter('filter2')).to.equal(0);
    for (let i = 0; i < 10; i++) hooks.apply_filters('filter2', 'v');
    expect(hooks.did_filter('filter2')).to.equal(10);
    expect(hooks.did_action('filter2'), 'filters and actions are counted apart').to.equal(0);
  });

  it('an `all` callback sees every filter and cannot change the value', () => {
    const a = new MockAction(hooks);
    hooks.add_filter('all', [a, 'filterall']);
    hooks.add_filter('all', () => 'changed by all');
    expect(hooks.apply_filters('h1', 'val')).to.equal('val');
    expect(hooks.apply_filters('h2', 'val')).to.equal('val');
    expect(hooks.apply_filters('h1', 'val')).to.equal('val');
    expect(a.hookNames).to.deep.equal(['h1', 'h2', 'h1']);
    expect(a.args[0]).to.deep.equal(['h1', 'val']);
  });

  it('removing the last `all` callback makes has_filter(all) false', () => {
    const a = new MockAction(hooks);
    hooks.add_filter('all', [a, 'filterall']);
    expect(hooks.has_filter('all')).to.equal(true);
    hooks.remove_filter('all', [a, 'filterall']);
    expect(hooks.has_filter('all')).to.equal(false);
    hooks.apply_filters('h', 'val');
    expect(a.callCount).to.equal(0);
  });

  it('remove_all_filters respects the priority argument (#20920)', () => {
    const a = new MockAction(hooks);
    hooks.add_filter('h', [a, 'filter'], 12);
    hooks.remove_all_filters('h', 11);
    expect(hooks.has_filter('h')).to.equal(true);
    hooks.remove_all_filters('h', 12);
    expect(hooks.has_filter('h')).to.equal(false);
  });

  it('passes objects by reference as value and argument (#53218)', () => {
    const obj = {};
    const a = new MockAction(hooks);
    hooks.add_filter('h', [a, 'filter'], 10, 2);
    const filtered = hooks.apply_filters('h', obj, obj);
    expect(filtered).to.equal(obj);
    expect(a.args[0]![1]).to.equal(obj);
  });

  it('apply_filters_ref_array chains the first element and passes the rest (#12723)', () => {
    const obj = {};
    const a = new MockAction(hooks);
    const b = new MockAction(hooks);
    hooks.add_filter('h', [a, 'filter_append'], 10, 2);
    hooks.add_filter('h', [b, 'filter_append'], 10, 2);
    const input = ['string', obj];
    expect(hooks.apply_filters_ref_array('h', input)).to.equal('string_append_append');
    expect(a.args[0]![1]).to.equal(obj);
    expect(b.args[0]).to.deep.equal(['string_append', obj]);
    expect(input[0], "the caller's array is not written to").to.equal('string');
  });

  it('has_filter is false after remove_all_filters, with or without priorities (#29070)', () => {
    const a = new MockAction(hooks);
    hooks.add_filter('h', [a, 'filter'], 11);
    hooks.add_filter('h', [a, 'filter'], 12);
    hooks.remove_all_filters('h');
    expect(hooks.has_filter('h')).to.equal(false);
    hooks.add_filter('h', [a, 'filter'], 11);
    hooks.add_filter('h', [a, 'filter'], 12);
    hooks.remove_all_filters('h', 11);
    hooks.remove_all_filters('h', 12);
    expect(hooks.has_filter('h')).to.equal(false);
  });

  it('current_priority answers the running priority (#39007), and false elsewhere', () => {
    let seen: unknown = null;
    let other: unknown = null;
    hooks.add_action('p', () => {
      seen = hooks.current_priority();
    }, 99);
    hooks.do_action('p');
    expect(seen).to.equal(99);
    hooks.add_action('q', () => {
      other = hooks.current_priority();
    }, 5);
    hooks.do_action('q');
    expect(other).to.equal(5);
    expect(hooks.current_priority()).to.equal(false);
  });

  it('apply_filters with nothing attached returns the value unchanged', () => {
    const value = { a: 1 };
    expect(hooks.apply_filters('nothing', value)).to.equal(value);
    expect(hooks.apply_filters_ref_array('nothing', [value, 2])).to.equal(value);
  });
});
