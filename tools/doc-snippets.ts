// Writes every TypeScript block of docs/plugin-authoring.md and of README.md's plugin sections
// to test/docs/snippets/*.snippet.ts, so `tsc --noEmit` (the first step of `npm test`)
// type-checks them against the SDK. test/docs/snippets.test.ts fails when the files are out
// of date: run `npm run docs:snippets` after editing a block.
//
// A block that imports or exports is a module as it is (its `../../core/…` imports are
// re-aimed at core/); any other block is a fragment inside a function that has the names a
// plugin's code has at hand: `api` (PluginApi) and `ctx` (PageContext).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = path.join(root, 'test', 'docs', 'snippets');
/** README sections whose blocks are plugin code. */
const README_SECTIONS = ['## Writing a plugin', '### For plugin authors: events'];

/** The ```ts blocks, except those marked `<!-- snippet: … -->`: they are copies of the example plugin's source (compiled as the plugin; test/plugins/example-coupons/guide.test.ts keeps them equal). */
function blocks(markdown: string): string[] {
  return [...markdown.matchAll(/(<!-- snippet: [^\n]*-->\n)?```ts\n([\s\S]*?)```/g)].filter((m) => !m[1]).map((m) => m[2]!);
}

function readmeBlocks(readme: string): string[] {
  const out: string[] = [];
  for (const heading of README_SECTIONS) {
    const at = readme.indexOf(`\n${heading}\n`);
    if (at === -1) throw new Error(`README.md has no section "${heading}"`);
    const level = heading.split(' ')[0]!;
    const rest = readme.slice(at + heading.length + 2);
    const end = rest.search(new RegExp(`\\n#{1,${level.length}} `));
    out.push(...blocks(end === -1 ? rest : rest.slice(0, end)));
  }
  return out;
}

function toFile(code: string, source: string, index: number): string {
  const header = `// Generated from ${source} (block ${index + 1}) by tools/doc-snippets.ts — do not edit; edit the doc and run npm run docs:snippets.\n`;
  const fixed = code.replace(/(['"])(?:\.\.\/)+core\//g, '$1../../../core/');
  if (/^\s*(import|export)\s/m.test(code)) return `${header}${fixed}${/^\s*(import|export)\s/m.test(fixed) ? '' : '\nexport {};\n'}`;
  return `${header}import type { EventRegistrar, PageContext, PluginApi, WebhooksApi } from '../../../core/plugin-sdk.js';\n\nexport function snippet(api: PluginApi, ctx: PageContext, _types?: [EventRegistrar, WebhooksApi]): void {\n${fixed.replace(/^(?=.)/gm, '  ')}}\n`;
}

/** name → file text of every snippet. */
export function snippetFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const guide = fs.readFileSync(path.join(root, 'docs', 'plugin-authoring.md'), 'utf8');
  blocks(guide).forEach((b, i) => files.set(`guide-${String(i + 1).padStart(2, '0')}.snippet.ts`, toFile(b, 'docs/plugin-authoring.md', i)));
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  readmeBlocks(readme).forEach((b, i) => files.set(`readme-${String(i + 1).padStart(2, '0')}.snippet.ts`, toFile(b, 'README.md', i)));
  return files;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  for (const [name, text] of snippetFiles()) fs.writeFileSync(path.join(OUT, name), text);
  console.log(`wrote ${snippetFiles().size} snippets to ${path.relative(root, OUT)}/`);
}
