import { HookError } from './errors.js';
import type { HookCallback, HookEntry } from './types.js';

/**
 * Builds callback identities, the JS counterpart of `_wp_filter_build_unique_id()`:
 * a function is identified by itself, a `[object, 'method']` pair by the object and the
 * method name. Ids live in a WeakMap owned by one registry, so registries stay independent
 * and registered objects can still be garbage-collected.
 */
export class CallbackIds {
  private readonly ids = new WeakMap<object, number>();
  private next = 1;

  /** The id of a callback, assigning one when `create` is true; null if it has none yet. */
  idOf(callback: HookCallback, create: boolean): string | null {
    if (typeof callback === 'function') {
      const n = this.lookup(callback, create);
      return n === null ? null : `f${n}`;
    }
    const [obj, method] = callback;
    const n = this.lookup(obj, create);
    return n === null ? null : `o${n}:${method}`;
  }

  private lookup(key: object, create: boolean): number | null {
    const found = this.ids.get(key);
    if (found !== undefined) return found;
    if (!create) return null;
    const n = this.next++;
    this.ids.set(key, n);
    return n;
  }
}

/** Validates a callback and returns its parts, or throws a HookError saying what is wrong. */
export function assertCallback(callback: unknown): asserts callback is HookCallback {
  if (typeof callback === 'function') return;
  if (
    Array.isArray(callback) &&
    callback.length === 2 &&
    callback[0] !== null &&
    (typeof callback[0] === 'object' || typeof callback[0] === 'function') &&
    typeof callback[1] === 'string'
  ) {
    return;
  }
  throw new HookError(
    'HOOK_INVALID_CALLBACK',
    `A hook callback must be a function or an [object, 'method'] pair; got ${describe(callback)}.`,
  );
}

export function makeEntry(id: string, callback: HookCallback, acceptedArgs: number): HookEntry {
  if (typeof callback === 'function') {
    return { id, fn: callback, obj: null, method: '', acceptedArgs, callback };
  }
  return { id, fn: null, obj: callback[0], method: callback[1], acceptedArgs, callback };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value;
}
