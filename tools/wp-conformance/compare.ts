/**
 * Differential conformance check (a development aid; the test suite does not need PHP):
 * generates random hook-operation scripts, runs each through WordPress's own plugin.php and
 * class-wp-hook.php and through core/hooks, and compares what every callback saw.
 *
 *   npx tsx tools/wp-conformance/compare.ts /path/to/wordpress/wp-includes [count] [seed]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runScript } from './runner.js';

const [wpIncludes, countArg, seedArg] = process.argv.slice(2);
if (!wpIncludes) {
  console.error('usage: compare.ts WP_INCLUDES_DIR [count] [seed]');
  process.exit(2);
}
const count = Number(countArg ?? 2000);
let seed = Number(seedArg ?? 1);
const rand = (): number => {
  // mulberry32: a tiny seeded PRNG so a failing script can be regenerated.
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const HOOKS = ['h1', 'h1', 'h2', 'all'];
const FIRE = ['h1', 'h1', 'h2'];
const CBS = ['c0', 'c1', 'c2', 'c3', 'c4'];
// Integers, plus what PHP coerces as an array key: decimal-integer strings become ints
// ('5', '-1'), other strings stay string keys that sort by their numeric prefix ('05', ' 10',
// '1e1', 'abc'), booleans become 0/1, floats are truncated, null means 0 (WordPress 6.9).
const INT_PRIOS = [5, 10, 10, 11, 12, 20, -1];
const PHP_PRIOS: readonly unknown[] = [
  '5', '10', '-1', '0', '05', ' 10', '10 ', '1e1', '5abc', 'abc', '', '-0', '+5', '.5',
  true, false, null, 10.5, 9.99, -0.5, 11.2,
];
const PRIO = (): unknown => (rand() < 0.5 ? pick(INT_PRIOS) : pick(PHP_PRIOS));

function randomArgs(): string[] {
  const n = Math.floor(rand() * 3);
  return Array.from({ length: n }, (_, i) => `a${i}`);
}
function fireOp(): unknown[] {
  const k = pick(['do', 'do', 'apply', 'apply', 'doRef', 'applyRef']);
  const hook = pick(FIRE);
  if (k === 'apply') return [k, hook, ['v', ...randomArgs()]];
  if (k === 'applyRef') return [k, hook, ['v', ...randomArgs()]];
  return [k, hook, randomArgs()];
}
function mutateOp(nested: boolean): unknown[] {
  const r = rand();
  if (r < 0.35) return ['add', pick(HOOKS), pick(CBS), PRIO(), Math.floor(rand() * 4)];
  if (r < 0.55) return ['remove', pick(HOOKS), pick(CBS), PRIO()];
  if (r < 0.6) return ['removeHas', pick(HOOKS), pick(CBS)];
  if (r < 0.67) return ['removeAll', pick(HOOKS), rand() < 0.5 ? false : PRIO()];
  if (r < 0.75) return ['has', pick(HOOKS), rand() < 0.3 ? null : pick(CBS)];
  if (r < 0.78) return ['did', pick(FIRE)];
  if (r < 0.8) return ['prio'];
  return nested ? fireOp() : ['has', pick(HOOKS), null];
}
function script(): unknown {
  const cbs: Record<string, unknown[][][]> = {};
  for (const name of CBS) {
    cbs[name] = Array.from({ length: Math.floor(rand() * 4) }, () =>
      Array.from({ length: Math.floor(rand() * 3) }, () => mutateOp(true)),
    );
  }
  const main: unknown[] = [];
  const adds = 3 + Math.floor(rand() * 6);
  for (let i = 0; i < adds; i++) main.push(['add', pick(HOOKS), pick(CBS), PRIO(), Math.floor(rand() * 4)]);
  const steps = 2 + Math.floor(rand() * 5);
  for (let i = 0; i < steps; i++) main.push(rand() < 0.6 ? fireOp() : mutateOp(false));
  return { cbs, main };
}

const scripts = Array.from({ length: count }, script);
const input = scripts.map((s) => JSON.stringify(s)).join('\n') + '\n';
const runner = fileURLToPath(new URL('./runner.php', import.meta.url));
const php = spawnSync('php', [runner, wpIncludes], { input, maxBuffer: 1 << 30, encoding: 'utf8' });
if (php.status !== 0) {
  console.error(php.stderr);
  process.exit(1);
}
const expected = php.stdout.trim().split('\n');
let mismatches = 0;
scripts.forEach((s, i) => {
  let actual: string;
  try {
    actual = JSON.stringify(runScript(s as Parameters<typeof runScript>[0]));
  } catch (error) {
    // A throw where WordPress carries on is a difference, not a crash of the comparison.
    actual = `threw ${(error as { code?: string }).code ?? ''}: ${(error as Error).message}`;
  }
  if (actual !== expected[i]) {
    mismatches++;
    if (mismatches <= 3) {
      console.log(`MISMATCH #${i}\nscript:   ${JSON.stringify(s)}\nwordpress: ${expected[i]}\nhookpress: ${actual}\n`);
    }
  }
});
console.log(`${count - mismatches} of ${count} scripts identical to WordPress (${mismatches} differ)`);
process.exit(mismatches ? 1 : 0);
