import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../core/config.js';

/** The regions "#region guide:<name>" of the example plugin, dedented. */
function regions(source: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /[ \t]*\/\/ #region guide:(\w+)\n([\s\S]*?)[ \t]*\/\/ #endregion/g;
  for (const m of source.matchAll(re)) {
    const lines = m[2]!.split('\n');
    const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
    out.set(m[1]!, lines.map((l) => l.slice(indent)).join('\n').trimEnd() + '\n');
  }
  return out;
}

describe('docs/plugin-authoring.md', () => {
  const guide = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'plugin-authoring.md'), 'utf8');
  const source = fs.readFileSync(path.join(PROJECT_ROOT, 'plugins', 'example-coupons', 'index.ts'), 'utf8');
  const code = regions(source);

  it('shows every snippet exactly as it is in the example plugin', () => {
    const snippets = [...guide.matchAll(/<!-- snippet: (\w+) \(plugins\/example-coupons\/index\.ts\) -->\n```ts\n([\s\S]*?)```/g)];
    expect(snippets.length).to.be.greaterThan(3);
    for (const [, name, body] of snippets) {
      expect(code.has(name!), `region ${name} exists`).to.equal(true);
      expect(body, `snippet ${name}`).to.equal(code.get(name!));
    }
    expect(new Set(snippets.map((s) => s[1])).size, 'every region is in the guide').to.equal(code.size);
  });

  it('is linked from the README', () => {
    expect(fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8')).to.include('docs/plugin-authoring.md');
  });
});
