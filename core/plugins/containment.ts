import type { HookCallback, HookFunction } from '../hooks/index.js';

/** What a contained run collected: the first error each plugin's callbacks threw, by plugin slug. */
export type PluginFailures = Map<string, unknown>;

/**
 * Knows which plugin every plugin callback belongs to, and contains their errors where the
 * host must survive them (WordPress's recovery mode is the model): while `contained()` runs —
 * the start-up hooks (`plugins_loaded`, `init` and what they fire, such as
 * `wu_register_all_events`), building the admin menu (`network_admin_menu`), activation — a
 * callback that throws is recorded against its plugin and the hook goes on with the next
 * callback (a filter keeps its value). The caller then deactivates those plugins.
 * Outside such a run errors propagate as before, tagged with their plugin (ownerOfError).
 */
export class CallbackGuard {
  private depth = 0;
  private failures: PluginFailures = new Map();
  private readonly errorOwners = new WeakMap<object, string>();

  /**
   * Runs `fn` with plugin callbacks' errors contained; returns what it returned and the
   * plugins whose callbacks threw. Nested runs report to the outermost one.
   */
  contained<T>(fn: () => T): { result: T; failures: PluginFailures } {
    const outer = this.depth === 0;
    if (outer) this.failures = new Map();
    this.depth++;
    let result: T;
    try {
      result = fn();
    } finally {
      this.depth--;
    }
    const failures = outer ? this.failures : new Map<string, unknown>();
    if (outer) this.failures = new Map();
    return { result, failures };
  }

  /** The plugin whose callback threw `error`, when it came out of one. */
  ownerOfError(error: unknown): string | undefined {
    return error !== null && typeof error === 'object' ? this.errorOwners.get(error) : undefined;
  }

  /** A function that runs `callback` as plugin `owner`'s (see the class comment). */
  wrap(owner: string, callback: HookFunction): HookFunction {
    const guard = this;
    return function pluginCallback(this: unknown, ...args: unknown[]): unknown {
      try {
        return callback.apply(this, args);
      } catch (error) {
        // The innermost plugin callback is the one to blame: a plugin calling another's API
        // with bad input (an invalid event slug) is that plugin's error.
        if (error !== null && typeof error === 'object' && !guard.errorOwners.has(error)) guard.errorOwners.set(error, owner);
        const blamed = guard.ownerOfError(error) ?? owner;
        if (guard.depth === 0) throw error;
        if (!guard.failures.has(blamed)) guard.failures.set(blamed, error);
        return args[0];
      }
    };
  }
}

/**
 * Maps a plugin's callbacks to the wrapped functions registered for them, so remove_filter /
 * has_filter with the plugin's own callback find the wrapper. One per plugin.
 */
export class CallbackWrappers {
  private readonly functions = new WeakMap<HookFunction, HookFunction>();
  private readonly methods = new WeakMap<object, Map<string, HookFunction>>();

  constructor(
    private readonly guard: CallbackGuard,
    private readonly owner: string,
  ) {}

  /** The callback to register for `callback`; an invalid one is passed through for the registry to reject. */
  wrap(callback: HookCallback): HookCallback {
    if (typeof callback === 'function') {
      let w = this.functions.get(callback);
      if (!w) this.functions.set(callback, (w = this.guard.wrap(this.owner, callback)));
      return w;
    }
    if (isMethodCallback(callback)) {
      const [obj, method] = callback;
      let byName = this.methods.get(obj);
      if (!byName) this.methods.set(obj, (byName = new Map()));
      let w = byName.get(method);
      if (!w) {
        // The method is looked up when the hook fires, as the registry does for [obj, 'method'].
        const call: HookFunction = (...args: unknown[]) => (obj as Record<string, HookFunction>)[method]!.apply(obj, args);
        byName.set(method, (w = this.guard.wrap(this.owner, call)));
      }
      return w;
    }
    return callback;
  }

  /** The wrapper registered for `callback`, or `callback` itself when there is none. */
  find(callback: HookCallback): HookCallback {
    if (typeof callback === 'function') return this.functions.get(callback) ?? callback;
    if (isMethodCallback(callback)) return this.methods.get(callback[0])?.get(callback[1]) ?? callback;
    return callback;
  }
}

function isMethodCallback(cb: unknown): cb is readonly [object, string] {
  return (
    Array.isArray(cb) &&
    cb.length === 2 &&
    cb[0] !== null &&
    (typeof cb[0] === 'object' || typeof cb[0] === 'function') &&
    typeof cb[1] === 'string' &&
    typeof (cb[0] as Record<string, unknown>)[cb[1]] === 'function'
  );
}
