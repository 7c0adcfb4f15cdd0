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

// Allocation check of the fast path: garbage collections during 2,000,000 firings, with 1 and
// with 50 callbacks that do not change. Equal counts mean nothing is allocated per callback
// (what remains is per firing: the rest-arguments array).
{
  const { PerformanceObserver } = await import('node:perf_hooks');
  const gcsFor = async (callbacks: number, filter: boolean): Promise<number> => {
    let gcs = 0;
    const obs = new PerformanceObserver((list) => (gcs += list.getEntries().length));
    obs.observe({ entryTypes: ['gc'] });
    const hooks = createHooks();
    for (let i = 0; i < callbacks; i++) {
      if (filter) hooks.add_filter('alloc', (v: number) => (v + 1) & 0xffff, 10 + (i % 3));
      else hooks.add_action('alloc', (x: number) => void (sink = (sink + x) & 0xffff), 10 + (i % 3));
    }
    const fire = filter ? () => void hooks.apply_filters('alloc', 1, 2) : () => hooks.do_action('alloc', 1);
    for (let i = 0; i < 10_000; i++) fire();
    await new Promise((r) => setTimeout(r, 20));
    gcs = 0;
    for (let i = 0; i < 2_000_000; i++) fire();
    await new Promise((r) => setTimeout(r, 20));
    obs.disconnect();
    return gcs;
  };
  for (const filter of [false, true]) {
    const one = await gcsFor(1, filter);
    const fifty = await gcsFor(50, filter);
    console.log(`allocation: 2,000,000 × ${filter ? 'apply_filters' : 'do_action'}: ${one} GCs with 1 callback, ${fifty} GCs with 50 callbacks`);
  }
}
