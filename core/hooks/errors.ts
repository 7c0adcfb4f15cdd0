import { HookpressError } from '../errors.js';
import '../error-codes.js';

/** Error codes raised by the hooks runtime (listed in core/error-codes.ts). */
export type HookErrorCode =
  | 'HOOK_INVALID_NAME'
  | 'HOOK_INVALID_CALLBACK'
  | 'HOOK_INVALID_PRIORITY'
  | 'HOOK_INVALID_ACCEPTED_ARGS';

/** A programming error in a call to the hooks API (bad name, callback, priority…). */
export class HookError extends HookpressError<HookErrorCode> {
  constructor(code: HookErrorCode, message: string) {
    super(code, message);
    this.name = 'HookError';
  }
}
