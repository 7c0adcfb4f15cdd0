import { expect } from 'chai';
import { createHooks, HookError, type Hooks } from '../../../core/hooks/index.js';

describe('core/hooks async variants', () => {
  let hooks: Hooks;
  beforeEach(() => {
    hooks = createHooks();
  });

  it('do_action_async awaits each callback in priority order', async () => {
    const seen: string[] = [];
    hooks.add_action('a', async () => {
      await Promise.resolve();
      seen.push('10-done');
    });
    hooks.add_action('a', () => void seen.push('20'), 20);
    hooks.add_action('a', async () => void seen.push('5'), 5);
    await hooks.do_action_async('a');
    expect(seen).to.deep.equal(['5', '10-done', '20']);
    expect(hooks.did_action('a')).to.equal(1);
  });

  it('apply_filters_async chains resolved values and passes extra arguments', async () => {
    hooks.add_filter('f', async (v: number, k: number) => v * k, 10, 2);
    hooks.add_filter('f', (v: number) => v + 1, 20);
    expect(await hooks.apply_filters_async('f', 5, 3)).to.equal(16);
    expect(await hooks.apply_filters_async('nothing', 'same')).to.equal('same');
  });

  it('applies the same mutation rules as the sync runtime', async () => {
    const seen: number[] = [];
    const self = async (): Promise<void> => {
      seen.push(20);
      hooks.remove_action('s', self, 20);
    };
    hooks.add_action('s', () => void seen.push(10), 10);
    hooks.add_action('s', self, 20);
    hooks.add_action('s', async () => {
      seen.push(25);
    }, 25);
    hooks.add_action('s', () => void seen.push(30), 30);
    await hooks.do_action_async('s');
    expect(seen).to.deep.equal([10, 20, 30]);
  });

  it('runs `all` callbacks first and restores the current-filter stack', async () => {
    const seen: unknown[] = [];
    hooks.add_action('all', (name: string) => void seen.push(`all:${name}`));
    hooks.add_action('x', () => void seen.push(hooks.current_action()));
    await hooks.do_action_async('x');
    expect(seen).to.deep.equal(['all:x', 'x']);
    expect(hooks.current_filter()).to.equal(false);
  });

  it('propagates a rejection and leaves the registry usable', async () => {
    hooks.add_action('boom', async () => {
      throw new Error('nope');
    });
    let error: unknown;
    try {
      await hooks.do_action_async('boom');
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.equal('nope');
    expect(hooks.doing_action()).to.equal(false);
  });
});

describe('core/hooks errors', () => {
  let hooks: Hooks;
  beforeEach(() => {
    hooks = createHooks();
  });

  it('a throwing callback propagates after the running state is restored', () => {
    hooks.add_action('outer', () => hooks.do_action('inner'));
    hooks.add_action('inner', () => {
      throw new Error('inner failed');
    });
    expect(() => hooks.do_action('outer')).to.throw('inner failed');
    expect(hooks.current_filter()).to.equal(false);
    expect(hooks.doing_filter('outer')).to.equal(false);
    expect(hooks.current_priority()).to.equal(false);
  });

  it('after a throwing action, the same hook chains as a filter again', () => {
    let fail = true;
    hooks.add_filter('h', (v: string) => {
      if (fail) throw new Error('x');
      return v + 'a';
    });
    hooks.add_filter('h', (v: string) => v + 'b', 20);
    expect(() => hooks.do_action('h', 'v')).to.throw('x');
    fail = false;
    expect(hooks.apply_filters('h', 'v')).to.equal('vab');
  });

  it('a throwing `all` callback restores the stack', () => {
    hooks.add_action('all', () => {
      throw new Error('all failed');
    });
    expect(() => hooks.apply_filters('f', 1)).to.throw('all failed');
    expect(hooks.current_filter()).to.equal(false);
  });

  it('rejects bad callbacks, names, priorities and accepted_args with coded errors', () => {
    const bad: Array<[() => unknown, string]> = [
      [() => hooks.add_action('h', 'not a function' as never), 'HOOK_INVALID_CALLBACK'],
      [() => hooks.add_action('h', [{}, 1] as never), 'HOOK_INVALID_CALLBACK'],
      [() => hooks.add_action('', () => 1), 'HOOK_INVALID_NAME'],
      [() => hooks.add_action('h', () => 1, {} as never), 'HOOK_INVALID_PRIORITY'],
      [() => hooks.add_action('h', () => 1, 10, -1), 'HOOK_INVALID_ACCEPTED_ARGS'],
    ];
    for (const [call, code] of bad) {
      expect(call).to.throw(HookError).with.property('code', code);
    }
  });

  it('registries are independent', () => {
    const other = createHooks();
    let n = 0;
    hooks.add_action('h', () => void n++);
    other.do_action('h');
    expect(n).to.equal(0);
    expect(other.did_action('h')).to.equal(1);
    expect(hooks.did_action('h')).to.equal(0);
  });

  it('methods are bound and can be destructured', () => {
    const { add_filter, apply_filters } = hooks;
    add_filter('h', (v: number) => v + 1);
    expect(apply_filters('h', 1)).to.equal(2);
  });
});
