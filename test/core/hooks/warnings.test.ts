import { expect } from 'chai';
import { createHooks, type HookWarning } from '../../../core/hooks/index.js';

describe('core/hooks warnings (habits WordPress warns about)', () => {
  it('an [obj, method] callback whose method is missing is skipped with PHP’s invalid-callback warning', () => {
    const warnings: HookWarning[] = [];
    const hooks = createHooks({ onWarning: (w) => void warnings.push(w) });
    class Greeter {}
    const obj = new Greeter();
    hooks.add_filter('the_title', [obj, 'shout']);
    hooks.add_filter('the_title', (t: string) => `${t}!`);
    expect(hooks.apply_filters('the_title', 'hi')).to.equal('hi!');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include({ code: 'HOOK_INVALID_CALLBACK', hookName: 'the_title' });
    expect(warnings[0]!.message).to.equal(
      "call_user_func_array() expects parameter 1 to be a valid callback, class 'Greeter' does not have a method 'shout' (hook \"the_title\")",
    );
    // Not at registration: the method may be added before the hook runs, as in PHP.
    (obj as Record<string, unknown>).shout = (t: string) => t.toUpperCase();
    expect(hooks.apply_filters('the_title', 'hi')).to.equal('HI!');
    expect(warnings).to.have.length(1);
  });

  it('warns on the all hook and in do_action too', () => {
    const warnings: HookWarning[] = [];
    const hooks = createHooks({ onWarning: (w) => void warnings.push(w) });
    hooks.add_action('all', [{}, 'missing']);
    hooks.add_action('init', [{}, 'gone']);
    hooks.do_action('init');
    expect(warnings.map((w) => w.code)).to.deep.equal(['HOOK_INVALID_CALLBACK', 'HOOK_INVALID_CALLBACK']);
  });

  it('a Promise returned to synchronous apply_filters / do_action is reported with the hook', async () => {
    const warnings: HookWarning[] = [];
    const hooks = createHooks({ onWarning: (w) => void warnings.push(w) });
    const asyncFilter = async (v: string) => `${v}?`;
    hooks.add_filter('pre_name', asyncFilter);
    const value = hooks.apply_filters('pre_name', 'x');
    expect(value).to.be.instanceOf(Promise);
    expect(warnings[0]).to.include({ code: 'HOOK_PROMISE_IN_SYNC', hookName: 'pre_name', callback: asyncFilter });
    expect(warnings[0]!.message).to.include('apply_filters_async');
    hooks.add_action('saved', async () => undefined);
    hooks.do_action('saved');
    expect(warnings[1]).to.include({ code: 'HOOK_PROMISE_IN_SYNC', hookName: 'saved' });
    expect(warnings[1]!.message).to.include('do_action_async');
    // The async twins await it: no warning.
    await hooks.apply_filters_async('pre_name', 'y');
    await hooks.do_action_async('saved');
    expect(warnings).to.have.length(2);
  });

  it('without a listener nothing changes (a plain registry stays silent)', () => {
    const hooks = createHooks();
    hooks.add_filter('f', [{}, 'nope']);
    expect(hooks.apply_filters('f', 1)).to.equal(1);
  });
});
