// The same interpreter as runner.php, over core/hooks. Reads scripts.jsonl on stdin.
import { createInterface } from 'node:readline';
import { createHooks } from '../../core/hooks/index.js';
import type { PriorityInput } from '../../core/hooks/php-keys.js';

type Op = [string, ...unknown[]];
interface Script {
  cbs: Record<string, Op[][]>;
  main: Op[];
}

export function runScript(script: Script): unknown[] {
  const hooks = createHooks();
  const trace: unknown[] = [];
  const calls: Record<string, number> = {};
  const cbs: Record<string, (...args: unknown[]) => string> = {};
  let depth = 0;
  const runOp = (op: Op): void => {
    const [kind, hook, a, b, c] = op as [string, string, unknown, unknown, unknown];
    switch (kind) {
      case 'add':
        hooks.add_filter(hook, cbs[a as string]!, b as PriorityInput, c as number);
        break;
      case 'remove':
        trace.push(['remove', hooks.remove_filter(hook, cbs[a as string]!, b as PriorityInput)]);
        break;
      case 'removeHas': {
        const cb = cbs[a as string]!;
        trace.push(['remove', hooks.remove_filter(hook, cb, hooks.has_filter(hook, cb))]);
        break;
      }
      case 'removeAll':
        hooks.remove_all_filters(hook, a as PriorityInput);
        break;
      case 'prio':
        trace.push(['prio', hooks.current_priority()]);
        break;
      case 'do':
        hooks.do_action(hook, ...(a as unknown[]));
        break;
      case 'doRef':
        hooks.do_action_ref_array(hook, a as unknown[]);
        break;
      case 'apply':
        trace.push(['apply', hooks.apply_filters(hook, ...(a as unknown[]))]);
        break;
      case 'applyRef':
        trace.push(['apply', hooks.apply_filters_ref_array(hook, a as unknown[])]);
        break;
      case 'has':
        trace.push(['has', a === null ? hooks.has_filter(hook) : hooks.has_filter(hook, cbs[a as string]!)]);
        break;
      case 'did':
        trace.push(['did', hooks.did_action(hook), hooks.did_filter(hook)]);
        break;
    }
  };
  // The stack is private; tests of this aid may peek at it.
  const stackNow = (): string[] => (hooks as unknown as { currentFilters: string[] }).currentFilters.slice();
  for (const name of Object.keys(script.cbs)) {
    calls[name] = 0;
    cbs[name] = (...args: unknown[]): string => {
      const k = calls[name]!++;
      trace.push(['call', name, args, hooks.current_filter(), stackNow()]);
      const ops = script.cbs[name]![k];
      if (depth < 3 && ops !== undefined) {
        depth++;
        for (const op of ops) runOp(op);
        depth--;
      }
      return `${name}(${args.length ? JSON.stringify(args[0]) : ''})`;
    };
  }
  for (const op of script.main) runOp(op);
  trace.push(['end', hooks.current_filter(), stackNow()]);
  return trace;
}

if (process.argv[1]?.endsWith('runner.ts')) {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line.trim()) process.stdout.write(JSON.stringify(runScript(JSON.parse(line) as Script)) + '\n');
  }
}
