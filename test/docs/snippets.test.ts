import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { OUT, snippetFiles } from '../../tools/doc-snippets.js';

// The type-check itself is `tsc --noEmit`, the first step of `npm test`: it compiles
// test/docs/snippets/*.snippet.ts against the SDK. This test keeps those files equal to the docs.
describe('docs: every TypeScript block of the plugin guide and the README’s plugin sections is type-checked', () => {
  it('test/docs/snippets/ is up to date with the docs (else run: npm run docs:snippets)', () => {
    const expected = snippetFiles();
    const actual = new Map(fs.readdirSync(OUT).filter((f) => f.endsWith('.snippet.ts')).map((f) => [f, fs.readFileSync(path.join(OUT, f), 'utf8')]));
    expect([...actual.keys()].sort(), 'snippet files').to.deep.equal([...expected.keys()].sort());
    for (const [name, text] of expected) expect(actual.get(name), `${name} is stale: run npm run docs:snippets`).to.equal(text);
    expect(expected.size).to.be.greaterThan(3);
  });
});
