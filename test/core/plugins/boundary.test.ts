import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../core/config.js';
import { importsOf, sourceFiles } from '../../helpers/imports.js';

const SDK = 'core/plugin-sdk.ts';

/** "file → specifier" for every import that crosses a plugin's boundary. */
export function boundaryViolations(pluginsDir: string, root: string): string[] {
  const out: string[] = [];
  for (const slug of fs.readdirSync(pluginsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    for (const file of sourceFiles(path.join(pluginsDir, slug))) {
      for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join('/').replace(/\.js$/, '.ts');
        const rel = path.relative(root, file).split(path.sep).join('/');
        const inCore = target.startsWith('core/') && target !== SDK;
        const otherPlugin = target.startsWith('plugins/') && !target.startsWith(`plugins/${slug}/`);
        const outside = !target.startsWith('core/') && !target.startsWith('plugins/');
        if (inCore || otherPlugin || outside) out.push(`${rel} → ${spec}`);
      }
    }
  }
  return out.sort();
}


describe('plugin boundary: plugins import only the SDK from core, and never another plugin', () => {
  it('reads static, type-only, re-exported and dynamic imports', () => {
    expect(
      importsOf(`import a from './a.js';\nimport type { B } from "../b.js";\nimport './side.js';\nexport { c } from './c.js';\nexport * from './d.js';\nconst e = await import('./e.js');\nimport {\n  f,\n  g,\n} from './fg.js';`),
    ).to.deep.equal(['./a.js', '../b.js', './side.js', './c.js', './d.js', './e.js', './fg.js']);
  });

  it('finds a core internal and another plugin’s module', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-boundary-'));
    try {
      fs.mkdirSync(path.join(tmp, 'plugins', 'a'), { recursive: true });
      fs.mkdirSync(path.join(tmp, 'core'));
      fs.writeFileSync(path.join(tmp, 'plugins', 'a', 'index.ts'), "import type { X } from '../../core/plugin-sdk.js';\nimport { y } from '../../core/http/html.js';\nimport { z } from '../b/service.js';\nimport { w } from './own.js';\n");
      expect(boundaryViolations(path.join(tmp, 'plugins'), tmp)).to.deep.equal(['plugins/a/index.ts → ../../core/http/html.js', 'plugins/a/index.ts → ../b/service.js']);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('holds for every plugin in plugins/', () => {
    const found = boundaryViolations(path.join(PROJECT_ROOT, 'plugins'), PROJECT_ROOT);
    expect(found, 'imports past the SDK (zero exceptions)').to.deep.equal([]);
  });
});
