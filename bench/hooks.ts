/**
 * bench/hooks — core/hooks against @wordpress/hooks doing the same work in the same run.
 *   npm run bench:hooks
 * Prints ops/s of each and the ratio Hookpress / @wordpress/hooks (goal ≥ 1.0×).
 */
import { createHooks as createWpJsHooks } from '@wordpress/hooks';
import { createHooks } from '../core/hooks/index.js';
import { formatOps, measure } from './measure.js';

const CALLBACKS = 10;
const N = 200_000;
let sink = 0;

function doActionHookpress(): (n: number) => void {
  const hooks = createHooks();
  for (let i = 0; i < CALLBACKS; i++) hooks.add_action('bench', (x: number) => void (sink += x), 10 + (i % 3));
  return (n) => {
    for (let i = 0; i < n; i++) hooks.do_action('bench', 1);
  };
}
function doActionWpJs(): (n: number) => void {
  const hooks = createWpJsHooks();
  for (let i = 0; i < CALLBACKS; i++) hooks.addAction('bench', `ns/${i}`, (x: number) => void (sink += x), 10 + (i % 3));
  return (n) => {
    for (let i = 0; i < n; i++) hooks.doAction('bench', 1);
  };
}
function applyFiltersHookpress(): (n: number) => void {
  const hooks = createHooks();
  for (let i = 0; i < CALLBACKS; i++) hooks.add_filter('bench', (v: number, k: number) => v + k, 10 + (i % 3), 2);
  return (n) => {
    for (let i = 0; i < n; i++) sink += hooks.apply_filters('bench', i, 1) as number;
  };
}
function applyFiltersWpJs(): (n: number) => void {
  const hooks = createWpJsHooks();
  for (let i = 0; i < CALLBACKS; i++) hooks.addFilter('bench', `ns/${i}`, (v: number, k: number) => v + k, 10 + (i % 3));
  return (n) => {
    for (let i = 0; i < n; i++) sink += hooks.applyFilters('bench', i, 1) as number;
  };
}
function churnHookpress(): (n: number) => void {
  const hooks = createHooks();
  const base = Array.from({ length: CALLBACKS }, () => (): void => undefined);
  base.forEach((cb, i) => hooks.add_action('churn', cb, 10 + (i % 3)));
  const cb = (): void => undefined;
  return (n) => {
    for (let i = 0; i < n; i++) {
      hooks.add_action('churn', cb, 11);
      hooks.remove_action('churn', cb, 11);
    }
  };
}
function churnWpJs(): (n: number) => void {
  const hooks = createWpJsHooks();
  const base = Array.from({ length: CALLBACKS }, () => (): void => undefined);
  base.forEach((cb, i) => hooks.addAction('churn', `ns/${i}`, cb, 10 + (i % 3)));
  const cb = (): void => undefined;
  return (n) => {
    for (let i = 0; i < n; i++) {
      hooks.addAction('churn', 'ns/churn', cb, 11);
      hooks.removeAction('churn', 'ns/churn');
    }
  };
}

// @wordpress/hooks announces every add/remove through its own hooks; silence nothing, it
// is part of the work it does.
const cases: Array<[string, () => (n: number) => void, () => (n: number) => void]> = [
  [`do_action, ${CALLBACKS} callbacks`, doActionHookpress, doActionWpJs],
  [`apply_filters, ${CALLBACKS} callbacks`, applyFiltersHookpress, applyFiltersWpJs],
  ['add + remove churn', churnHookpress, churnWpJs],
];

console.log(`bench/hooks  node ${process.version}  (${N} iterations per round, best of 7)`);
for (const [name, ours, theirs] of cases) {
  const a = measure(name, ours(), N);
  const b = measure(name, theirs(), N);
  const ratio = a.opsPerSec / b.opsPerSec;
  console.log(
    `${name.padEnd(30)} hookpress ${formatOps(a.opsPerSec).padStart(8)} ops/s   @wordpress/hooks ${formatOps(b.opsPerSec).padStart(8)} ops/s   ratio ${ratio.toFixed(2)}x`,
  );
}
if (sink === 42) console.log('');
