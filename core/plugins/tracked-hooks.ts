import type { HookCallback, Hooks } from '../hooks/index.js';

type Registration = [hookName: string, callback: HookCallback, priority: number | null];

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

  /** Removes every recorded registration from `hooks` and forgets them. */
  undo(hooks: Hooks): void {
    for (const [name, cb, priority] of this.entries.splice(0)) hooks.remove_filter(name, cb, priority);
  }
}

/**
 * The hooks object a plugin receives: the host registry, with every add recorded in the
 * plugin's ledger and, while the menu is being built, in the menu ledger too.
 */
export function trackedHooks(
  hooks: Hooks,
  ledger: HookLedger,
  phase: () => HookLedger | null,
  owner?: { slug: string; map: WeakMap<object, string> },
): Hooks {
  const add = (name: string, cb: HookCallback, priority: number | null = 10, acceptedArgs = 1): true => {
    hooks.add_filter(name, cb, priority, acceptedArgs);
    if (owner) owner.map.set(typeof cb === 'function' ? cb : cb[0], owner.slug);
    ledger.record([name, cb, priority]);
    phase()?.record([name, cb, priority]);
    return true;
  };
  return Object.freeze({
    ...bindAll(hooks),
    add_filter: add,
    add_action: add,
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
