import type { HookCallback, Hooks } from '../hooks/index.js';
import type { CallbackWrappers } from './containment.js';

type Registration = [hookName: string, callback: HookCallback, priority: number | null, acceptedArgs?: number];

/**
 * Collects hook registrations so they can be undone as a group: a plugin's when it is
 * deactivated, or those made while the admin menu was built when it is built again (menu
 * callbacks typically add `load-{page_hook}` actions, and Node — unlike PHP — does not
 * start afresh for every request).
 */
export class HookLedger {
  private readonly entries: Registration[] = [];

  record(entry: Registration): void {
    this.entries.push(entry);
  }

  /** The recorded registrations on `hookName`, in the order they were made. */
  on(hookName: string): Registration[] {
    return this.entries.filter((e) => e[0] === hookName);
  }

  /** Removes every recorded registration from `hooks` and forgets them. */
  undo(hooks: Hooks): void {
    for (const [name, cb, priority] of this.entries.splice(0)) hooks.remove_filter(name, cb, priority);
  }
}

/**
 * The hooks object a plugin receives: the host registry, with every add recorded in the
 * plugin's ledger and, while the menu is being built, in the menu ledger too. Each callback is
 * registered wrapped so it is known as the plugin's (see containment.ts); removing or looking
 * up the plugin's own callback finds the wrapper.
 */
export function trackedHooks(
  hooks: Hooks,
  ledger: HookLedger,
  phase: () => HookLedger | null,
  wrappers: CallbackWrappers,
  owner?: { slug: string; map: WeakMap<object, string> },
): Hooks {
  const add = (name: string, cb: HookCallback, priority: number | null = 10, acceptedArgs = 1): true => {
    const registered = wrappers.wrap(cb);
    hooks.add_filter(name, registered, priority, acceptedArgs);
    // Hook warnings name the plugin: they may report the callback as given or as registered.
    if (owner) {
      for (const c of [cb, registered]) if (typeof c === 'function' || Array.isArray(c)) owner.map.set(typeof c === 'function' ? c : c[0], owner.slug);
    }
    ledger.record([name, registered, priority, acceptedArgs]);
    phase()?.record([name, registered, priority, acceptedArgs]);
    return true;
  };
  // Remaining arguments (priority…) are passed on as given: the registry owns their meaning.
  const remove = (name: string, cb: HookCallback, ...rest: unknown[]) =>
    (hooks.remove_filter as (...a: unknown[]) => boolean)(name, wrappers.find(cb), ...rest);
  const has = (name: string, cb?: HookCallback | false, ...rest: unknown[]) =>
    cb === undefined && rest.length === 0
      ? hooks.has_filter(name)
      : (hooks.has_filter as (...a: unknown[]) => boolean | number)(name, cb ? wrappers.find(cb) : cb, ...rest);
  return Object.freeze({
    ...bindAll(hooks),
    add_filter: add,
    add_action: add,
    remove_filter: remove,
    remove_action: remove,
    has_filter: has,
    has_action: has,
  }) as Hooks;
}

function bindAll(hooks: Hooks): Hooks {
  const out: Record<string, unknown> = {};
  for (const name of [
    'remove_filter',
    'remove_action',
    'remove_all_filters',
    'remove_all_actions',
    'has_filter',
    'has_action',
    'do_action',
    'do_action_ref_array',
    'apply_filters',
    'apply_filters_ref_array',
    'do_action_async',
    'apply_filters_async',
    'did_action',
    'did_filter',
    'current_filter',
    'current_action',
    'doing_filter',
    'doing_action',
    'current_priority',
  ] as const) {
    out[name] = (hooks[name] as (...a: unknown[]) => unknown).bind(hooks);
  }
  return out as unknown as Hooks;
}
