import fs from 'node:fs';
import path from 'node:path';

/** Every module specifier a source file imports or re-exports (static, type-only and dynamic). */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /(?:\bimport\s*(?:type\s+)?(?:[\w*{}\s,$]+?\s*from\s*)?|\bexport\s*(?:type\s+)?[\w*{}\s,$]*?\s*from\s*|\bimport\s*\(\s*)(['"])([^'"]+)\1/g;
  for (const m of source.matchAll(re)) out.push(m[2]!);
  return out;
}

/** The relative imports of `file` (absolute), resolved to `.ts` paths relative to `root`, with `/` separators. */
export function localImportsOf(file: string, root: string): string[] {
  return importsOf(fs.readFileSync(file, 'utf8'))
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join('/').replace(/\.js$/, '.ts'));
}

/** Every .ts/.js/.mjs/.cjs file under `dir`, node_modules excluded. */
export function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|js|mjs|cjs)$/.test(d.name) ? [full] : [];
  });
}
