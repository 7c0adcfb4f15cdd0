#!/usr/bin/env node
// `npm test [-- <what>…]`: type-checks, then runs mocha on the whole suite, or only on what
// is named: `plugins/<slug>` (that plugin's tests, test/plugins/<slug>/), `core/<area>`
// (test/core/<area>/), a test file or folder, or a glob. Other arguments go to mocha as they are.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ALL = 'test/**/*.test.ts';

/** Maps one positional argument to mocha spec globs. */
export function specFor(arg) {
  const clean = arg.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  const area = /^(plugins|core)\/([a-z0-9_-]+)$/.exec(clean);
  if (area) {
    const dir = `test/${area[1]}/${area[2]}`;
    if (!fs.existsSync(path.join(root, dir))) throw new Error(`There are no tests for ${clean}: ${dir}/ does not exist.`);
    return [`${dir}/**/*.test.ts`];
  }
  const full = path.join(root, clean);
  if (fs.existsSync(full) && fs.statSync(full).isDirectory()) return [`${clean}/**/*.test.ts`];
  return [clean];
}

function main() {
  const args = process.argv.slice(2);
  const specs = [];
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('-')) {
      rest.push(a);
      // Options with a value (--grep x, -g x, --timeout 5000 …) keep it.
      if (!a.includes('=') && i + 1 < args.length && !args[i + 1].startsWith('-') && /^(-g|-f|-t|--grep|--fgrep|--timeout|--reporter|-R|--slow|-s|--retries|--jobs|-j)$/.test(a)) rest.push(args[++i]);
    } else {
      specs.push(...specFor(a));
    }
  }
  const bin = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  const argv = [bin, ...rest, ...(specs.length ? specs : [ALL])];
  // With TEST_DATABASE_URL the suite runs twice: hosts on SQLite (storage suites on both
  // backends), then every host a test builds on PostgreSQL (HOOKPRESS_TEST_HOST=postgres).
  // HOOKPRESS_TEST_HOST=sqlite or =postgres runs one pass only.
  const chosen = process.env.HOOKPRESS_TEST_HOST;
  const passes = chosen ? [chosen] : process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
  let status = 0;
  for (const host of passes) {
    if (passes.length > 1) console.log(`\n=== npm test: hosts on ${host} ===`);
    const run = spawnSync(process.execPath, argv, { cwd: root, stdio: 'inherit', env: { ...process.env, HOOKPRESS_TEST_HOST: host } });
    if (run.status !== 0) status = run.status ?? 1;
  }
  process.exit(status);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
