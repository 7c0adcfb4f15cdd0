import { CallbackIds, assertCallback, makeEntry } from './callback-ids.js';
import { HookError } from './errors.js';
import { Hook } from './hook.js';
import { toPriorityKey, type PriorityInput, type PriorityKey } from './php-keys.js';
import type { HookCallback, HookWarning } from './types.js';

const ALL = 'all';

const enum Mode {
  Filter,
  FilterRefArray,
  Action,
  ActionRefArray,
}

/**
 * The hooks API of one host: a port of WordPress 7.1's `plugin.php` over `Hook`
 * (`WP_Hook`). Method names are WordPress's function names so that code and habits port
 * as they are. Every registry is independent: no state lives at module level.
 *
 * Deliberate deviations from WordPress (documented in README):
 * - a callback that throws propagates its error after the registry's running state
 *   (current-filter stack, nesting levels, doing-action flag) has been restored;
 * - PHP 4's `array( &$obj )` unwrapping in do_action is not reproduced;
 * - accepted_args must be a non-negative integer (PHP casts).
 *
 * Priorities are coerced exactly as PHP 8 coerces WordPress's array keys (see php-keys.ts):
 * '5' → 5, '05' stays a string key, true → 1, 1.9 → 1 (with a deprecation warning), null → 0
 * (WordPress 6.9); only values PHP refuses as keys (objects, arrays…) throw.
 */
export interface HookRegistryOptions {
  /**
   * Called for habits WordPress warns about instead of failing: an `[object, 'method']`
   * callback whose method is missing when it would run (skipped, as WordPress does), and a
   * Promise returned to the synchronous `apply_filters` / `do_action`. The host logs these
   * with the plugin that added the callback.
   */
  onWarning?: (warning: HookWarning) => void;
}

export class HookRegistry {
  private readonly filters = new Map<string, Hook>();
  private readonly warn: ((warning: HookWarning) => void) | undefined;

  constructor(options: HookRegistryOptions = {}) {
    this.warn = options.onWarning;
  }

  private readonly actionCounts = new Map<string, number>();
  private readonly filterCounts = new Map<string, number>();
  private readonly currentFilters: string[] = [];
  private readonly ids = new CallbackIds();
  /** Float priorities already warned about (PHP's deprecation), so each is reported once. */
  private readonly warnedFloats = new Set<number>();

  /** Hooks a callback to a filter; returns true. Priority 10 and accepted_args 1 by default. */
  add_filter(hookName: string, callback: HookCallback, priority: PriorityInput = 10, acceptedArgs = 1): true {
    assertName(hookName);
    assertCallback(callback);
    const p = this.priorityKey(priority, hookName, callback);
    if (!Number.isInteger(acceptedArgs) || acceptedArgs < 0) {
      throw new HookError(
        'HOOK_INVALID_ACCEPTED_ARGS',
        `accepted_args for "${hookName}" must be a non-negative integer; got ${String(acceptedArgs)}.`,
      );
    }
    let hook = this.filters.get(hookName);
    if (hook === undefined) {
      hook = new Hook(hookName, this.warn);
      this.filters.set(hookName, hook);
    }
    const id = this.ids.idOf(callback, true)!;
    hook.add(p, makeEntry(id, callback, acceptedArgs), priority ?? 0);
    return true;
  }

  /** Same as add_filter: actions and filters share one registry, as in WordPress. */
  add_action(hookName: string, callback: HookCallback, priority: PriorityInput = 10, acceptedArgs = 1): true {
    return this.add_filter(hookName, callback, priority, acceptedArgs);
  }

  /**
   * Removes a callback registered at exactly `priority` (coerced like add_filter's, so
   * `remove_filter(h, cb, has_filter(h, cb))` with cb absent looks at priority 0 and answers
   * false); returns whether it was there.
   */
  remove_filter(hookName: string, callback: HookCallback, priority: PriorityInput = 10): boolean {
    assertCallback(callback);
    const p = this.priorityKey(priority, hookName, callback);
    const hook = this.filters.get(hookName);
    if (hook === undefined) return false;
    const id = this.ids.idOf(callback, false);
    const removed = id !== null && hook.remove(p, id);
    // An emptied hook is detached: a re-add during its run lands in a new Hook the running
    // pass does not see.
    if (!hook.hasFilters()) this.filters.delete(hookName);
    return removed;
  }

  remove_action(hookName: string, callback: HookCallback, priority: PriorityInput = 10): boolean {
    return this.remove_filter(hookName, callback, priority);
  }

  /** Removes every callback of a hook, or only those at `priority`; returns true. */
  remove_all_filters(hookName: string, priority: PriorityInput = false): true {
    const hook = this.filters.get(hookName);
    if (hook !== undefined) {
      hook.removeAll(priority === false ? false : this.priorityKey(priority, hookName, () => undefined));
      if (!hook.hasFilters()) this.filters.delete(hookName);
    }
    return true;
  }

  remove_all_actions(hookName: string, priority: PriorityInput = false): true {
    return this.remove_all_filters(hookName, priority);
  }

  /**
   * Without a callback: whether anything is hooked. With one: the lowest priority it is
   * registered at (0 is a valid answer) or false. With a priority too (WordPress 6.9):
   * whether it is registered at that priority.
   */
  has_filter(
    hookName: string,
    callback?: HookCallback | false,
    priority?: PriorityInput,
  ): boolean | PriorityKey {
    const hook = this.filters.get(hookName);
    if (hook === undefined) return false;
    if (callback === undefined || callback === false) return hook.hasFilters();
    assertCallback(callback);
    const id = this.ids.idOf(callback, false);
    if (id === null) return false;
    if (typeof priority === 'number' && Number.isInteger(priority)) return hook.hasAt(id, priority);
    return hook.priorityOf(id);
  }

  has_action(
    hookName: string,
    callback?: HookCallback | false,
    priority?: PriorityInput,
  ): boolean | PriorityKey {
    return this.has_filter(hookName, callback, priority);
  }

  /** Calls the callbacks of a filter, chaining the value through them. */
  apply_filters(hookName: string, value?: unknown, ...args: unknown[]): unknown {
    args.unshift(value);
    return this.fire(Mode.Filter, hookName, args);
  }

  /** Like apply_filters with the value and extra arguments in one array; `all` gets (name, args). */
  apply_filters_ref_array(hookName: string, args: unknown[]): unknown {
    return this.fire(Mode.FilterRefArray, hookName, args);
  }

  /** Calls the callbacks of an action. With no arguments, callbacks receive one: ''. */
  do_action(hookName: string, ...args: unknown[]): void {
    this.fire(Mode.Action, hookName, args);
  }

  /** Calls an action with arguments from an array (none when it is empty); `all` gets (name, args). */
  do_action_ref_array(hookName: string, args: unknown[]): void {
    this.fire(Mode.ActionRefArray, hookName, args);
  }

  /**
   * The body shared by the four firing functions of plugin.php: count, run `all` first with
   * the current filter pushed, then the hook itself. On a throw, the current-filter stack is
   * restored to its depth before the call.
   */
  private fire(mode: Mode, hookName: string, args: unknown[]): unknown {
    const isAction = mode === Mode.Action || mode === Mode.ActionRefArray;
    bump(isAction ? this.actionCounts : this.filterCounts, hookName);
    const depth = this.currentFilters.length;
    try {
      const all = this.filters.get(ALL);
      if (all !== undefined) {
        this.currentFilters.push(hookName);
        // WordPress passes func_get_args(): (name, ...args), or (name, array) for _ref_array.
        const allArgs = mode === Mode.Action || mode === Mode.Filter ? [hookName, ...args] : [hookName, args];
        all.doAllHook(allArgs);
      }
      const hook = this.filters.get(hookName);
      if (hook === undefined) {
        if (this.filters.has(ALL)) this.currentFilters.pop();
        return isAction ? undefined : args[0];
      }
      if (!this.filters.has(ALL)) this.currentFilters.push(hookName);
      let result: unknown;
      if (mode === Mode.Action) {
        if (args.length === 0) args.push('');
        hook.doAction(args);
      } else if (mode === Mode.ActionRefArray) {
        hook.doAction(args.slice());
      } else {
        // PHP passes the array by value: a _ref_array caller's array is not written to.
        result = hook.applyFilters(args[0], mode === Mode.Filter ? args : args.slice());
      }
      this.currentFilters.pop();
      return result;
    } catch (error) {
      this.currentFilters.length = depth;
      throw error;
    }
  }

  /**
   * Async twin of do_action for Node plugin code: each callback is awaited in turn, with the
   * same ordering and mutation rules. The current-filter stack is shared by the whole
   * registry, so read current_filter() before your first await.
   */
  async do_action_async(hookName: string, ...args: unknown[]): Promise<void> {
    bump(this.actionCounts, hookName);
    const all = this.filters.get(ALL);
    if (all !== undefined) {
      this.currentFilters.push(hookName);
      try {
        await all.doAllHookAsync([hookName, ...args]);
      } catch (error) {
        this.dropCurrent(hookName);
        throw error;
      }
    }
    const hook = this.filters.get(hookName);
    if (hook === undefined) {
      if (this.filters.has(ALL)) this.dropCurrent(hookName);
      return;
    }
    if (!this.filters.has(ALL)) this.currentFilters.push(hookName);
    if (args.length === 0) args.push('');
    try {
      await hook.doActionAsync(args);
    } finally {
      this.dropCurrent(hookName);
    }
  }

  /** Async twin of apply_filters: awaits each callback and chains the resolved values. */
  async apply_filters_async(hookName: string, value?: unknown, ...args: unknown[]): Promise<unknown> {
    bump(this.filterCounts, hookName);
    const all = this.filters.get(ALL);
    if (all !== undefined) {
      this.currentFilters.push(hookName);
      try {
        await all.doAllHookAsync([hookName, value, ...args]);
      } catch (error) {
        this.dropCurrent(hookName);
        throw error;
      }
    }
    const hook = this.filters.get(hookName);
    if (hook === undefined) {
      if (this.filters.has(ALL)) this.dropCurrent(hookName);
      return value;
    }
    if (!this.filters.has(ALL)) this.currentFilters.push(hookName);
    args.unshift(value);
    try {
      return await hook.applyFiltersAsync(value, args);
    } finally {
      this.dropCurrent(hookName);
    }
  }

  /** How many times an action was fired (counted even when nothing is hooked). */
  did_action(hookName: string): number {
    return this.actionCounts.get(hookName) ?? 0;
  }

  /** How many times a filter was applied (counted even when nothing is hooked). */
  did_filter(hookName: string): number {
    return this.filterCounts.get(hookName) ?? 0;
  }

  /** The name of the hook running now (innermost), or false. */
  current_filter(): string | false {
    const n = this.currentFilters.length;
    return n === 0 ? false : this.currentFilters[n - 1]!;
  }

  current_action(): string | false {
    return this.current_filter();
  }

  /** Without a name: whether any hook is running. With one: whether it is anywhere on the stack. */
  doing_filter(hookName?: string | null): boolean {
    if (hookName === undefined || hookName === null) return this.currentFilters.length > 0;
    return this.currentFilters.includes(hookName);
  }

  doing_action(hookName?: string | null): boolean {
    return this.doing_filter(hookName);
  }

  /**
   * The priority being run by the current hook (WordPress's
   * `$wp_filter[ current_filter() ]->current_priority()`), or false.
   */
  current_priority(): PriorityKey | false {
    const name = this.current_filter();
    if (name === false) return false;
    const hook = this.filters.get(name);
    return hook === undefined ? false : hook.currentPriority();
  }

  /**
   * PHP's array-key coercion of a priority. A float that loses its fraction is PHP 8.1's
   * "Implicit conversion from float to int loses precision" deprecation: reported once per
   * value, through `onWarning` (code HOOK_FLOAT_PRIORITY, logged by the host with the plugin)
   * or, without one, as a Node DeprecationWarning.
   */
  private priorityKey(priority: unknown, hookName: string, callback: HookCallback): PriorityKey {
    return toPriorityKey(priority, (value) => {
      if (this.warnedFloats.has(value)) return;
      this.warnedFloats.add(value);
      const message = `Implicit conversion from float ${value} to int loses precision (priority of a callback on "${hookName}").`;
      if (this.warn) this.warn({ code: 'HOOK_FLOAT_PRIORITY', hookName, callback, message });
      else process.emitWarning(message, { type: 'DeprecationWarning', code: 'HOOK_FLOAT_PRIORITY' });
    });
  }

  private dropCurrent(hookName: string): void {
    const at = this.currentFilters.lastIndexOf(hookName);
    if (at !== -1) this.currentFilters.splice(at, 1);
  }
}

/** The method names of the hooks API, as WordPress spells them. */
export type Hooks = Pick<
  HookRegistry,
  | 'add_filter'
  | 'add_action'
  | 'remove_filter'
  | 'remove_action'
  | 'remove_all_filters'
  | 'remove_all_actions'
  | 'has_filter'
  | 'has_action'
  | 'do_action'
  | 'do_action_ref_array'
  | 'apply_filters'
  | 'apply_filters_ref_array'
  | 'do_action_async'
  | 'apply_filters_async'
  | 'did_action'
  | 'did_filter'
  | 'current_filter'
  | 'current_action'
  | 'doing_filter'
  | 'doing_action'
  | 'current_priority'
>;

/**
 * Creates an independent hooks registry. Its methods are bound, so they can be passed
 * around or destructured: `const { add_action, do_action } = createHooks()`.
 */
export function createHooks(options: HookRegistryOptions = {}): Hooks {
  const registry = new HookRegistry(options);
  const proto = HookRegistry.prototype as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(HookRegistry.prototype)) {
    if (name === 'constructor' || name === 'fire' || name === 'dropCurrent' || name === 'priorityKey') continue;
    const method = proto[name];
    if (typeof method === 'function') {
      Object.defineProperty(registry, name, { value: method.bind(registry), enumerable: false });
    }
  }
  return registry;
}

function bump(counts: Map<string, number>, name: string): void {
  counts.set(name, (counts.get(name) ?? 0) + 1);
}

function assertName(hookName: unknown): asserts hookName is string {
  if (typeof hookName !== 'string' || hookName === '') {
    throw new HookError('HOOK_INVALID_NAME', `A hook name must be a non-empty string; got ${JSON.stringify(hookName)}.`);
  }
}
