import { numericSortValue, phpCompare, phpIdentical, phpMin, type PriorityKey } from './php-keys.js';
import type { HookEntry, HookFunction, HookWarning } from './types.js';

/**
 * The iteration state of one running pass over a hook (one nesting level in WordPress's
 * terms): the priority list it walks and a pointer into it. `current` is the priority the
 * pass is running (WordPress's `$current_priority[$level]`); NaN for an `all` pass, which
 * WordPress never records.
 */
interface Iteration {
  list: readonly PriorityKey[];
  pos: number;
  current: PriorityKey;
}

const EMPTY: readonly PriorityKey[] = Object.freeze([]);
const NO_PRIORITY = Number.NaN;

/**
 * One hook's callbacks: a port of WordPress 7.1's `WP_Hook`, bug-compatible with it.
 *
 * Storage is copy-on-write: `priorities` and every bucket are replaced, never mutated, when
 * callbacks are added or removed. A running pass therefore holds a frozen bucket (PHP's
 * by-value `foreach`) and a priority list without copying anything — the hot path of a
 * hook whose callbacks do not change allocates nothing per callback.
 */
export class Hook {
  /** priority → callbacks in insertion order. Buckets are never empty. */
  readonly callbacks = new Map<PriorityKey, readonly HookEntry[]>();
  /**
   * The keys of `callbacks` in WordPress's order (ksort SORT_NUMERIC, stable); replaced
   * (never mutated) on change.
   */
  priorities: readonly PriorityKey[] = EMPTY;

  private nestingLevel = 0;
  private doingAction = false;
  /** Every pass currently running, outermost first. */
  private readonly active: Iteration[] = [];
  /** Reusable iteration records for synchronous passes, indexed by nesting level. */
  private readonly pool: Iteration[] = [];

  /**
   * @param name the hook's name, for warnings.
   * @param warn told about habits WordPress warns of (a missing method, a Promise returned to a
   *   synchronous run); the callback is skipped or its value kept as WordPress would.
   */
  constructor(
    readonly name = '',
    private readonly warn?: (warning: HookWarning) => void,
  ) {}

  /**
   * `priority` is the coerced key; `raw` what the caller passed (after 6.9's null → 0),
   * which WordPress compares with `===` while re-aiming running passes.
   */
  add(priority: PriorityKey, entry: HookEntry, raw: unknown = priority): void {
    const bucket = this.callbacks.get(priority);
    const priorityExisted = bucket !== undefined;
    if (bucket === undefined) {
      this.callbacks.set(priority, [entry]);
      this.priorities = insertSorted(this.priorities, priority);
    } else {
      // Same id at the same priority keeps its slot and takes the new accepted_args.
      const next = bucket.slice();
      const at = indexOfId(bucket, entry.id);
      if (at === -1) next.push(entry);
      else next[at] = entry;
      this.callbacks.set(priority, next);
    }
    if (this.nestingLevel > 0) this.resortActiveIterations(raw, priorityExisted);
  }

  remove(priority: PriorityKey, id: string): boolean {
    const bucket = this.callbacks.get(priority);
    if (bucket === undefined) return false;
    const at = indexOfId(bucket, id);
    if (at === -1) return false;
    if (bucket.length === 1) {
      this.callbacks.delete(priority);
      this.priorities = this.priorities.filter((p) => p !== priority);
      if (this.nestingLevel > 0) this.resortActiveIterations();
    } else {
      const next = bucket.slice();
      next.splice(at, 1);
      this.callbacks.set(priority, next);
    }
    return true;
  }

  /** The first priority (in run order) `id` is registered at, or false. */
  priorityOf(id: string): PriorityKey | false {
    for (const priority of this.priorities) {
      if (indexOfId(this.callbacks.get(priority)!, id) !== -1) return priority;
    }
    return false;
  }

  /** Whether `id` is registered at exactly `priority` (WordPress 6.9's has_filter priority). */
  hasAt(id: string, priority: PriorityKey): boolean {
    const bucket = this.callbacks.get(priority);
    return bucket !== undefined && indexOfId(bucket, id) !== -1;
  }

  hasFilters(): boolean {
    return this.callbacks.size > 0;
  }

  removeAll(priority?: PriorityKey | false): void {
    if (this.callbacks.size === 0) return;
    if (priority === undefined || priority === false) {
      this.callbacks.clear();
      this.priorities = EMPTY;
    } else if (this.callbacks.has(priority)) {
      this.callbacks.delete(priority);
      this.priorities = this.priorities.filter((p) => p !== priority);
    }
    if (this.nestingLevel > 0) this.resortActiveIterations();
  }

  /**
   * Runs the callbacks as a filter. `args` holds the value at index 0 and is owned by this
   * call (it is written to). While the hook is doing an action, the value is not chained.
   */
  applyFilters(value: unknown, args: unknown[]): unknown {
    if (this.callbacks.size === 0) return value;
    const it = this.enter();
    const numArgs = args.length;
    try {
      do {
        const priority = it.list[it.pos]!;
        it.current = priority;
        const bucket = this.callbacks.get(priority);
        if (bucket === undefined) continue;
        for (let i = 0; i < bucket.length; i++) {
          if (!this.doingAction) args[0] = value;
          const entry = bucket[i]!;
          value = invoke(entry, args, numArgs, this);
          // A Promise here is almost always an async callback on a synchronous hook: its work
          // runs unordered and its rejection is unhandled. Told once per call, value kept.
          if (value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function') {
            this.warn?.({
              code: 'HOOK_PROMISE_IN_SYNC',
              hookName: this.name,
              callback: entry.callback,
              message: `A callback of "${this.name}" returned a Promise to the synchronous ${this.doingAction ? 'do_action' : 'apply_filters'}; it is not awaited. Use ${this.doingAction ? 'do_action_async' : 'apply_filters_async'} or make the callback synchronous.`,
            });
          }
        }
      } while (++it.pos < it.list.length);
    } finally {
      this.leave(it);
    }
    return value;
  }

  /** Reports a `[object, 'method']` callback whose method is missing (it is skipped). */
  invalidCallback(entry: HookEntry): void {
    const cls = (entry.obj as { constructor?: { name?: string } } | null)?.constructor?.name || 'Object';
    this.warn?.({
      code: 'HOOK_INVALID_CALLBACK',
      hookName: this.name,
      callback: entry.callback,
      // PHP's warning, as WordPress sites log it from class-wp-hook.php.
      message: `call_user_func_array() expects parameter 1 to be a valid callback, class '${cls}' does not have a method '${entry.method}' (hook "${this.name}")`,
    });
  }

  doAction(args: unknown[]): void {
    this.doingAction = true;
    try {
      this.applyFilters('', args);
    } finally {
      // A recursive call of the same action is not finished until the outermost one is.
      if (this.nestingLevel === 0) this.doingAction = false;
    }
  }

  /** Runs the callbacks of the `all` hook: arguments passed as they are, returns ignored. */
  doAllHook(args: unknown[]): void {
    if (this.callbacks.size === 0) return;
    const it = this.enter();
    try {
      do {
        const bucket = this.callbacks.get(it.list[it.pos]!);
        if (bucket === undefined) continue;
        for (let i = 0; i < bucket.length; i++) callEntry(bucket[i]!, args, this);
      } while (++it.pos < it.list.length);
    } finally {
      this.leave(it);
    }
  }

  /** Async twin of applyFilters: awaits each callback, same ordering rules. */
  async applyFiltersAsync(value: unknown, args: unknown[]): Promise<unknown> {
    if (this.callbacks.size === 0) return value;
    this.nestingLevel++;
    // Interleaved async passes are not strictly nested, so each gets its own record.
    const it: Iteration = { list: this.priorities, pos: 0, current: NO_PRIORITY };
    this.active.push(it);
    const numArgs = args.length;
    try {
      do {
        const priority = it.list[it.pos]!;
        it.current = priority;
        const bucket = this.callbacks.get(priority);
        if (bucket === undefined) continue;
        for (let i = 0; i < bucket.length; i++) {
          if (!this.doingAction) args[0] = value;
          value = await invoke(bucket[i]!, args, numArgs, this);
        }
      } while (++it.pos < it.list.length);
    } finally {
      this.leave(it);
    }
    return value;
  }

  async doActionAsync(args: unknown[]): Promise<void> {
    this.doingAction = true;
    try {
      await this.applyFiltersAsync('', args);
    } finally {
      if (this.nestingLevel === 0) this.doingAction = false;
    }
  }

  async doAllHookAsync(args: unknown[]): Promise<void> {
    if (this.callbacks.size === 0) return;
    this.nestingLevel++;
    const it: Iteration = { list: this.priorities, pos: 0, current: NO_PRIORITY };
    this.active.push(it);
    try {
      do {
        const bucket = this.callbacks.get(it.list[it.pos]!);
        if (bucket === undefined) continue;
        for (let i = 0; i < bucket.length; i++) await callEntry(bucket[i]!, args, this);
      } while (++it.pos < it.list.length);
    } finally {
      this.leave(it);
    }
  }

  /** The priority the outermost running pass points at, or false when not running. */
  currentPriority(): PriorityKey | false {
    const it = this.active[0];
    if (it === undefined || it.pos >= it.list.length) return false;
    return it.list[it.pos]!;
  }

  isRunning(): boolean {
    return this.nestingLevel > 0;
  }

  /** Starts a synchronous pass: takes the pooled record of this nesting level. */
  private enter(): Iteration {
    const level = this.nestingLevel++;
    let it = this.pool[level];
    if (it === undefined) {
      it = { list: EMPTY, pos: 0, current: NO_PRIORITY };
      this.pool[level] = it;
    }
    it.list = this.priorities;
    it.pos = 0;
    it.current = NO_PRIORITY;
    this.active.push(it);
    return it;
  }

  private leave(it: Iteration): void {
    const at = this.active.lastIndexOf(it);
    if (at === this.active.length - 1) this.active.pop();
    else if (at !== -1) this.active.splice(at, 1);
    this.nestingLevel--;
  }

  /**
   * Re-aims every running pass after the set of priorities changed: WordPress's
   * `resort_active_iterations()`, line for line. This includes its known defect (Trac
   * #64653): when a running callback empties the current priority while a lower priority
   * exists, the pointer lands on the next priority and the pass then steps past it.
   */
  private resortActiveIterations(newPriority: unknown = false, priorityExisted = false): void {
    const newPriorities = this.priorities;
    if (newPriorities.length === 0) {
      for (const it of this.active) {
        it.list = EMPTY;
        it.pos = 0;
      }
      return;
    }
    // PHP's min() and `<` over mixed int/string keys, as WordPress runs them.
    const min = phpMin(newPriorities);
    for (const it of this.active) {
      // Already past the end of this pass: leave it where it is.
      if (it.pos >= it.list.length) continue;
      const current = it.list[it.pos]!;
      if (phpCompare(current, min) < 0) {
        it.list = [current, ...newPriorities];
        it.pos = 0;
        continue;
      }
      it.list = newPriorities;
      it.pos = 0;
      while (it.pos < it.list.length && phpCompare(it.list[it.pos]!, current) < 0) it.pos++;

      // A priority re-created at the one this pass is running: step back so the pass does
      // not skip the priority after it.
      if (phpIdentical(newPriority, it.current) && !priorityExisted) {
        let prev: PriorityKey | false;
        if (it.pos >= it.list.length) {
          it.pos = it.list.length - 1;
          prev = it.list[it.pos]!;
        } else if (it.pos === 0) {
          prev = false;
        } else {
          it.pos--;
          prev = it.list[it.pos]!;
        }
        if (prev === false) it.pos = 0;
        else if (!phpIdentical(newPriority, prev)) it.pos++;
      }
    }
  }
}

function indexOfId(bucket: readonly HookEntry[], id: string): number {
  for (let i = 0; i < bucket.length; i++) if (bucket[i]!.id === id) return i;
  return -1;
}

/**
 * WordPress appends a new priority and runs ksort( SORT_NUMERIC ), a stable sort on each
 * key's numeric value: the new key goes after every key whose value is not greater.
 */
function insertSorted(list: readonly PriorityKey[], priority: PriorityKey): readonly PriorityKey[] {
  const next = list.slice();
  const value = numericSortValue(priority);
  let i = next.length;
  while (i > 0 && numericSortValue(next[i - 1]!) > value) i--;
  next.splice(i, 0, priority);
  return next;
}

function resolve(entry: HookEntry): HookFunction | undefined {
  if (entry.fn !== null) return entry.fn;
  const method = (entry.obj as Record<string, unknown>)[entry.method];
  return typeof method === 'function' ? (method as HookFunction) : undefined;
}

/**
 * Calls one callback with WordPress's accepted_args slicing: 0 → no arguments, at or above
 * the argument count → all of them (never padded), otherwise the first N.
 * Fast path: the common arities are passed without building a new array.
 */
function invoke(entry: HookEntry, args: unknown[], numArgs: number, hook: Hook): unknown {
  const fn = resolve(entry);
  // WordPress (PHP 7) warns about a callback that is not callable, skips it and keeps the value.
  if (fn === undefined) {
    hook.invalidCallback(entry);
    return args[0];
  }
  const self = entry.obj ?? undefined;
  const accepted = entry.acceptedArgs;
  if (accepted === 0) return fn.call(self);
  if (accepted >= numArgs) return fn.apply(self, args);
  switch (accepted) {
    case 1:
      return fn.call(self, args[0]);
    case 2:
      return fn.call(self, args[0], args[1]);
    case 3:
      return fn.call(self, args[0], args[1], args[2]);
    default:
      return fn.apply(self, args.slice(0, accepted));
  }
}

function callEntry(entry: HookEntry, args: unknown[], hook: Hook): unknown {
  const fn = resolve(entry);
  if (fn === undefined) {
    hook.invalidCallback(entry);
    return undefined;
  }
  return fn.apply(entry.obj ?? undefined, args);
}
