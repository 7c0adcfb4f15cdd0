export { createHooks, HookRegistry } from './registry.js';
export type { Hooks } from './registry.js';
export { HookError } from './errors.js';
export type { HookErrorCode } from './errors.js';
export type { HookCallback, HookFunction, MethodCallback, HookWarning, HookWarningCode } from './types.js';
export type { HookRegistryOptions } from './registry.js';
