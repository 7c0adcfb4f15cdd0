/** A plain function callback: identity is the function object itself. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HookFunction = (...args: any[]) => any;

/**
 * An `[object, 'method']` pair, WordPress's `array( $obj, 'method' )`: identity is the
 * object plus the method name; the method is looked up when the hook fires and called
 * with the object as `this`.
 */
export type MethodCallback = readonly [object, string];

export type HookCallback = HookFunction | MethodCallback;

/** One registered callback. Immutable: re-adding replaces the entry, never mutates it. */
export interface HookEntry {
  readonly id: string;
  readonly fn: HookFunction | null;
  readonly obj: object | null;
  readonly method: string;
  readonly acceptedArgs: number;
  /** What was registered, for introspection. */
  readonly callback: HookCallback;
}

/** Codes of the warnings the hooks runtime gives (logged by the host, never thrown). */
export type HookWarningCode = 'HOOK_INVALID_CALLBACK' | 'HOOK_PROMISE_IN_SYNC' | 'HOOK_FLOAT_PRIORITY';

/** A habit WordPress warns about: the hook, the callback at fault, and a readable message. */
export interface HookWarning {
  code: HookWarningCode;
  hookName: string;
  callback: HookCallback;
  message: string;
}
