/** Error codes raised by the hooks runtime. */
export type HookErrorCode =
  | 'HOOK_INVALID_NAME'
  | 'HOOK_INVALID_CALLBACK'
  | 'HOOK_INVALID_PRIORITY'
  | 'HOOK_INVALID_ACCEPTED_ARGS';

/** A programming error in a call to the hooks API (bad name, callback, priority…). */
export class HookError extends TypeError {
  readonly code: HookErrorCode;
  constructor(code: HookErrorCode, message: string) {
    super(message);
    this.name = 'HookError';
    this.code = code;
  }
}
