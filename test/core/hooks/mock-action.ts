import type { Hooks } from '../../../core/hooks/index.js';

export interface MockEvent {
  method: string;
  hookName: string | false;
  args: unknown[];
}

/**
 * The JS counterpart of WordPress's MockAction test helper: records every call with the
 * hook that was running and the arguments received. `filter*` methods return their first
 * argument, `action*` methods return nothing.
 */
export class MockAction {
  events: MockEvent[] = [];
  constructor(private readonly hooks: Hooks) {}

  private record(method: string, args: unknown[]): void {
    this.events.push({ method, hookName: this.hooks.current_filter(), args });
  }

  action(...args: unknown[]): void {
    this.record('action', args);
  }
  action2(...args: unknown[]): void {
    this.record('action2', args);
  }
  filter(...args: unknown[]): unknown {
    this.record('filter', args);
    return args[0];
  }
  filter2(...args: unknown[]): unknown {
    this.record('filter2', args);
    return args[0];
  }
  filter_append(...args: unknown[]): unknown {
    this.record('filter_append', args);
    return `${String(args[0])}_append`;
  }
  /** For the `all` hook: the hook name is the first argument. */
  filterall(...args: unknown[]): void {
    this.events.push({ method: 'filterall', hookName: args[0] as string, args });
  }

  get callCount(): number {
    return this.events.length;
  }
  get hookNames(): Array<string | false> {
    return this.events.map((e) => e.hookName);
  }
  get args(): unknown[][] {
    return this.events.map((e) => e.args);
  }
}
