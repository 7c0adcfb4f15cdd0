#!/usr/bin/env node
// `npm run build [-- <outDir>]`: the production build. Compiles core/ and plugins/ to
// JavaScript with tsc (tsconfig.build.json) into dist/ (or <outDir>), and copies what the
// compiled host reads at run time beside it: views/, public/, every non-TypeScript file of
// core/ and plugins/ (plugin assets, views, translations), package.json (ESM, the version)
// and bin/hookpress.js for plain node. `npm run start:prod` then runs dist/core/server.js
// with node alone — no TypeScript loader. <outDir> must lie inside the project (the compiled
// code finds node_modules from there, as node resolves packages). A rebuild replaces the
// compiled folders only, never <outDir>/data.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds into `outDir` (absolute, or relative to the project); returns its absolute path. @throws Error when tsc fails */
export function build(outDir = 'dist') {
  const out = path.resolve(root, outDir);
  const rel = path.relative(root, out);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`The build folder must be inside the project (${root}); got ${out}.`);
  if (['core', 'plugins', 'views', 'public', 'bin', 'test', 'node_modules'].includes(rel.split(path.sep)[0])) throw new Error(`Refusing to build into ${rel}.`);
  // Replace only what the build makes: a DATA_DIR left at its default (<out>/data) survives.
  for (const made of ['core', 'plugins', 'views', 'public', 'bin', 'package.json']) fs.rmSync(path.join(out, made), { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', out], {
    cwd: root,
    stdio: 'inherit',
  });
  if (tsc.status !== 0) throw new Error(`tsc failed (exit ${tsc.status ?? tsc.signal}).`);
  for (const dir of ['views', 'public']) fs.cpSync(path.join(root, dir), path.join(out, dir), { recursive: true });
  for (const dir of ['core', 'plugins']) {
    fs.cpSync(path.join(root, dir), path.join(out, dir), {
      recursive: true,
      filter: (src) => fs.statSync(src).isDirectory() || !src.endsWith('.ts'),
    });
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module' }, null, 2)}\n`);
  fs.mkdirSync(path.join(out, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(out, 'bin', 'hookpress.js'), "#!/usr/bin/env node\n// `hookpress …` from the production build: plain node, no TypeScript loader.\nawait import('../core/cli/main.js');\n", { mode: 0o755 });
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const out = build(process.argv[2]);
    process.stdout.write(`Built ${path.relative(process.cwd(), out) || out}: start it with \`node ${path.relative(process.cwd(), path.join(out, 'core', 'server.js'))}\`.\n`);
  } catch (error) {
    process.stderr.write(`build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
