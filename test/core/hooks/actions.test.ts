import { expect } from 'chai';
import { createHooks, type Hooks } from '../../../core/hooks/index.js';
import { MockAction } from './mock-action.js';

// Ported from WordPress's tests/phpunit/tests/actions.php, expected results unchanged.
describe('core/hooks actions (WordPress actions.php)', () => {
  let hooks: Hooks;
  beforeEach(() => {
    hooks = createHooks();
  });

  it('do_action with no arguments calls the callback once with a single empty string', () => {
    const a = new MockAction(hooks);
    hooks.add_action('simple', [a, 'action']);
    hooks.do_action('simple');
    expect(a.callCount).to.equal(1);
    expect(a.hookNames).to.deep.equal(['simple']);
    expect(a.args[0]).to.deep.equal(['']);
  });

  it('remove_action stops a callback from being called', () => {
    const a = new MockAction(hooks);
    hooks.add_action('h', [a, 'action']);
    hooks.do_action('h');
    expect(hooks.remove_action('h', [a, 'action'])).to.equal(true);
    hooks.do_action('h');
    expect(a.callCount).to.equal(1);
  });

  it('has_action answers false, then the priority and true, then false again after removal', () => {
    const cb = (): void => undefined;
    expect(hooks.has_action('h', cb)).to.equal(false);
    expect(hooks.has_action('h')).to.equal(false);
    hooks.add_action('h', cb);
    expect(hooks.has_action('h', cb)).to.equal(10);
    expect(hooks.has_action('h')).to.equal(true);
    hooks.remove_action('h', cb);
    expect(hooks.has_action('h', cb)).to.equal(false);
    expect(hooks.has_action('h')).to.equal(false);
  });

  it('calls every callback of a hook once', () => {
    const a1 = new MockAction(hooks);
    const a2 = new MockAction(hooks);
    hooks.add_action('h', [a1, 'action']);
    hooks.add_action('h', [a2, 'action']);
    hooks.do_action('h');
    expect([a1.callCount, a2.callCount]).to.deep.equal([1, 1]);
  });

  it('passes one argument by default and as many as accepted_args allows', () => {
    const a1 = new MockAction(hooks);
    const a2 = new MockAction(hooks);
    const a3 = new MockAction(hooks);
    hooks.add_action('h', [a1, 'action'], 10, 2);
    hooks.add_action('h', [a2, 'action']);
    hooks.add_action('h', [a3, 'action'], 10, 2);
    hooks.do_action('h', 'v1', 'v2');
    expect(a1.args[0]).to.deep.equal(['v1', 'v2']);
    expect(a2.args[0]).to.deep.equal(['v1']);
    expect(a3.args[0]).to.deep.equal(['v1', 'v2']);
  });

  it('runs lower priorities first', () => {
    const a = new MockAction(hooks);
    hooks.add_action('h', [a, 'action'], 10);
    hooks.add_action('h', [a, 'action2'], 9);
    hooks.do_action('h');
    expect(a.events).to.deep.equal([
      { method: 'action2', hookName: 'h', args: [''] },
      { method: 'action', hookName: 'h', args: [''] },
    ]);
  });

  it('did_action counts each firing per hook, even with nothing hooked', () => {
    hooks.do_action('action1');
    expect(hooks.did_action('action1')).to.equal(1);
    expect(hooks.did_action('action2')).to.equal(0);
    for (let i = 0; i < 10; i++) hooks.do_action('action2');
    expect(hooks.did_action('action1')).to.equal(1);
    expect(hooks.did_action('action2')).to.equal(10);
  });

  it('did_action is already incremented when the callbacks run', () => {
    let seen = -1;
    hooks.add_action('h', () => {
      seen = hooks.did_action('h');
    });
    hooks.do_action('h');
    expect(seen).to.equal(1);
  });

  it('an `all` callback is called for every action, in firing order', () => {
    const a = new MockAction(hooks);
    hooks.add_action('all', [a, 'filterall']);
    expect(hooks.has_filter('all', [a, 'filterall'])).to.equal(10);
    hooks.do_action('h1');
    hooks.do_action('h2');
    hooks.do_action('h1');
    hooks.do_action('h1');
    expect(a.hookNames).to.deep.equal(['h1', 'h2', 'h1', 'h1']);
    hooks.remove_action('all', [a, 'filterall']);
    expect(hooks.has_filter('all', [a, 'filterall'])).to.equal(false);
    hooks.do_action('h1');
    expect(a.callCount).to.equal(4);
  });

  it('do_action_ref_array passes the array elements, objects by reference', () => {
    const obj: { foo?: boolean } = {};
    const a = new MockAction(hooks);
    hooks.add_action('h', [a, 'action']);
    hooks.do_action_ref_array('h', [obj]);
    expect(a.args[0]![0]).to.equal(obj);
  });

  it('passes a keyed object argument as it is', () => {
    const a = new MockAction(hooks);
    hooks.add_action('h', [a, 'action']);
    const context = { key1: 'val1' };
    hooks.do_action('h', context);
    expect(a.args[0]![0]).to.equal(context);
  });

  it('accepts closures and finds them with has_action', () => {
    const store: Record<string, unknown> = {};
    const closure = (k: string, v: unknown): void => {
      store[k] = v;
    };
    hooks.add_action('h', closure, 10, 2);
    expect(hooks.has_action('h', closure)).to.equal(10);
    hooks.do_action('h', 'val1', 'val2');
    expect(store).to.deep.equal({ val1: 'val2' });
  });

  it('identifies an [object, method] pair by the object and the method name', () => {
    const obj = { method(): void {} };
    hooks.add_action('h', [obj, 'method']);
    expect(hooks.has_action('h', [obj, 'method'])).to.equal(10);
    expect(hooks.has_action('h', [{ method(): void {} }, 'method'])).to.equal(false);
    expect(hooks.has_action('h', [obj, 'other'])).to.equal(false);
  });

  it('calls an [object, method] pair with the object as this', () => {
    const obj = {
      seen: null as unknown,
      method(this: { seen: unknown }): void {
        this.seen = this;
      },
    };
    hooks.add_action('h', [obj, 'method']);
    hooks.do_action('h');
    expect(obj.seen).to.equal(obj);
  });

  it('a callback may remove itself while running', () => {
    const self = (): void => {
      hooks.remove_action('self', self);
    };
    hooks.add_action('self', self);
    hooks.do_action('self');
    expect(hooks.did_action('self')).to.equal(1);
    expect(hooks.has_action('self')).to.equal(false);
  });

  it('recursion calls callbacks of earlier and later priorities again', () => {
    const a = new MockAction(hooks);
    const b = new MockAction(hooks);
    let recursing = false;
    const causesRecursion = (name: string): void => {
      if (!recursing) {
        recursing = true;
        hooks.do_action(name, name);
      }
      recursing = false;
    };
    hooks.add_action('rec', [a, 'action'], 11, 1);
    hooks.add_action('rec', [b, 'action'], 13, 1);
    hooks.add_action('rec', causesRecursion, 12, 1);
    hooks.do_action('rec', 'rec');
    expect(a.callCount).to.equal(2);
    expect(b.callCount).to.equal(2);
  });

  it('callback manipulation while running follows WordPress (#9968, #17817)', () => {
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map(() => new MockAction(hooks)) as MockAction[];
    const manipulates = (name: string, mocks: MockAction[]): void => {
      hooks.remove_action(name, [mocks[1]!, 'action'], 12);
      hooks.add_action(name, [mocks[2]!, 'action'], 12, 2);
      hooks.add_action(name, [mocks[3]!, 'action'], 13, 2);
      hooks.add_action(name, [mocks[4]!, 'action'], 10, 2);
    };
    hooks.add_action('m', [a!, 'action'], 11, 2);
    hooks.add_action('m', manipulates, 12, 2);
    hooks.add_action('m', [b!, 'action'], 12, 2);
    hooks.do_action('m', 'm', [a, b, c, d, e]);
    hooks.do_action('m', 'm', [a, b, c, d, e]);
    expect(a!.callCount, 'callbacks run unless otherwise instructed').to.equal(2);
    expect(b!.callCount, 'removed by a same-priority callback: still called in that pass').to.equal(1);
    expect(c!.callCount, 'added by a same-priority callback: not called in that pass').to.equal(1);
    expect(d!.callCount, 'added at a later priority: called in that pass').to.equal(2);
    expect(e!.callCount, 'added at an earlier priority: not called in that pass').to.equal(1);
  });

  it('removes a callback found by walking the registered pairs', () => {
    const a = new MockAction(hooks);
    hooks.add_action('h', [a, 'action'], 12, 1);
    expect(hooks.has_action('h')).to.equal(true);
    expect(hooks.remove_filter('h', [a, 'action'], 12)).to.equal(true);
    expect(hooks.has_action('h')).to.equal(false);
  });

  it('current_action and doing_action mirror current_filter and doing_filter', () => {
    expect(hooks.doing_action()).to.equal(false);
    expect(hooks.doing_action('testing')).to.equal(false);
    const seen: unknown[] = [];
    hooks.add_action('testing', () => {
      seen.push(hooks.current_action(), hooks.doing_action(), hooks.doing_action('testing'));
      seen.push(hooks.doing_action('something_else'));
    });
    hooks.do_action('testing');
    expect(seen).to.deep.equal(['testing', true, true, false]);
    expect(hooks.current_action()).to.equal(false);
  });

  it('doing_filter searches the whole stack of running hooks', () => {
    const seen: Record<string, unknown> = {};
    hooks.add_filter('nested', (v: unknown) => {
      seen.inner = [hooks.doing_filter(), hooks.doing_filter('testing'), hooks.doing_filter('nested')];
      return v;
    });
    hooks.add_filter('testing', (v: unknown) => {
      seen.outer = [hooks.doing_filter('testing'), hooks.doing_filter('nested')];
      hooks.apply_filters('nested', '');
      seen.after = hooks.doing_filter('nested');
      return v;
    });
    hooks.apply_filters('testing', '');
    expect(seen).to.deep.equal({ outer: [true, false], inner: [true, true, true], after: false });
    expect(hooks.doing_filter()).to.equal(false);
  });
});
