import { expect } from 'chai';
import { createHooks, HookError, type Hooks } from '../../../core/hooks/index.js';
import { phpCompare, phpMin, toPriorityKey } from '../../../core/hooks/php-keys.js';

// Priorities as WordPress 7.1 gets them under PHP 8: used as array keys, so coerced by PHP's
// key rules, sorted by ksort( SORT_NUMERIC ) and compared with `<` / min(). Expected values
// were observed by running PHP 8.2 (see tools/wp-conformance for the differential check).
describe('core/hooks priorities coerced as PHP array keys', () => {
  let hooks: Hooks;
  const order: string[] = [];
  const cb = (name: string) => (v: unknown): unknown => {
    order.push(name);
    return v;
  };
  beforeEach(() => {
    hooks = createHooks();
    order.length = 0;
  });

  it('remove_filter(h, cb, has_filter(h, cb)) with cb absent answers false and the running chain goes on', () => {
    const absent = (v: string): string => v + '!';
    hooks.add_filter('h', (v: string) => {
      expect(hooks.remove_filter('h', absent, hooks.has_filter('h', absent))).to.equal(false);
      return v + 'a';
    });
    hooks.add_filter('h', (v: string) => v + 'b', 11);
    expect(hooks.apply_filters('h', '')).to.equal('ab');
  });

  it("a numeric string '5' is the integer key 5: runs before 10, has_filter answers 5, removable at 5", () => {
    const five = cb('five');
    hooks.add_filter('h', cb('ten'));
    hooks.add_filter('h', five, '5');
    hooks.apply_filters('h', 0);
    expect(order).to.deep.equal(['five', 'ten']);
    expect(hooks.has_filter('h', five)).to.equal(5);
    expect(hooks.has_filter('h', five, 5)).to.equal(true);
    expect(hooks.remove_filter('h', five, 5)).to.equal(true);
  });

  it("'05', ' 10' and 'abc' stay string keys and sort by their numeric prefix, ties in insertion order", () => {
    const a = cb('abc');
    hooks.add_filter('h', cb('5'), 5);
    hooks.add_filter('h', cb('05'), '05');
    hooks.add_filter('h', a, 'abc');
    hooks.add_filter('h', cb(' 10'), ' 10');
    hooks.add_filter('h', cb('0'), 0);
    hooks.add_filter('h', cb('10'), 10);
    hooks.apply_filters('h', 0);
    expect(order).to.deep.equal(['abc', '0', '5', '05', ' 10', '10']);
    expect(hooks.has_filter('h', a)).to.equal('abc');
    expect(hooks.remove_filter('h', a, 0), 'the key is the string, not 0').to.equal(false);
    expect(hooks.remove_filter('h', a, 'abc')).to.equal(true);
  });

  it('booleans are 0 and 1; floats are truncated toward zero', () => {
    const t = cb('true');
    hooks.add_filter('h', t, true);
    hooks.add_filter('h', cb('false'), false);
    hooks.add_filter('h', cb('1.9'), 1.9);
    hooks.add_filter('h', cb('-0.5'), -0.5);
    hooks.apply_filters('h', 0);
    expect(order).to.deep.equal(['false', '-0.5', 'true', '1.9']);
    expect(hooks.has_filter('h', t)).to.equal(1);
    expect(hooks.remove_filter('h', t, 1)).to.equal(true);
  });

  it('a float priority emits one DeprecationWarning naming the value', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      hooks.add_filter('h', cb('x'), 2.5);
      hooks.add_filter('h', cb('y'), 2.5);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    const ours = warnings.filter((w) => (w as { code?: string }).code === 'HOOK_FLOAT_PRIORITY');
    expect(ours).to.have.length(1);
    expect(ours[0]!.message).to.contain('2.5');
  });

  it('with an onWarning handler, a float priority is reported there (HOOK_FLOAT_PRIORITY), once per value', () => {
    const seen: Array<{ code: string; hookName: string; message: string }> = [];
    const own = createHooks({ onWarning: (w) => void seen.push(w) });
    own.add_filter('h', cb('x'), 3.7);
    own.add_filter('h', cb('y'), 3.7);
    expect(seen).to.have.length(1);
    expect(seen[0]).to.include({ code: 'HOOK_FLOAT_PRIORITY', hookName: 'h' });
    expect(seen[0]!.message).to.contain('3.7');
  });

  it('only what PHP refuses as a key throws HOOK_INVALID_PRIORITY', () => {
    for (const bad of [{}, [], () => 1, Symbol('s')]) {
      expect(() => hooks.add_filter('h', cb('x'), bad as never))
        .to.throw(HookError)
        .with.property('code', 'HOOK_INVALID_PRIORITY');
    }
  });

  it('coerces keys as PHP 8 does', () => {
    const cases: Array<[unknown, unknown]> = [
      ['5', 5], ['-5', -5], ['0', 0], ['05', '05'], ['-0', '-0'], ['5.0', '5.0'], [' 5', ' 5'], ['+5', '+5'],
      ['9223372036854775808', '9223372036854775808'], ['', ''], [true, 1], [false, 0], [null, 0],
      [1.5, 1], [-1.5, -1], [0.9, 0], [Number.NaN, 0], [Number.POSITIVE_INFINITY, 0], [-0, 0],
    ];
    for (const [raw, key] of cases) expect(toPriorityKey(raw), String(raw)).to.equal(key);
  });

  it("compares mixed keys with PHP 8's rules", () => {
    expect(phpCompare(5, 'abc')).to.equal(-1);
    expect(phpCompare('abc', 5)).to.equal(1);
    expect(phpCompare(5, ' 5')).to.equal(0);
    expect(phpCompare('05', '5')).to.equal(0);
    expect(phpCompare(10, '9a')).to.equal(-1);
    expect(phpCompare(0, '')).to.equal(1);
    expect(phpCompare('1e1', 10)).to.equal(0);
    expect(phpMin(['abc', 5, '05', -1, 'z'])).to.equal(-1);
    expect(phpMin([5, 'abc'])).to.equal(5);
  });
});
