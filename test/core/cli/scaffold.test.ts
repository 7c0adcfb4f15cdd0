import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../core/config.js';
import { hookpress } from '../../helpers/cli.js';

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 90_000, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout + stderr }),
    );
  });
}

describe('hookpress scaffold plugin (WP-CLI’s wp scaffold plugin)', function () {
  this.timeout(120_000);
  let root: string;
  before(() => {
    // A project of its own: the real core, node_modules and webhooks plugin, linked.
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-scaffold-'));
    for (const p of ['core', 'node_modules', 'views', 'public']) fs.symlinkSync(path.join(PROJECT_ROOT, p), path.join(root, p));
    fs.mkdirSync(path.join(root, 'plugins'));
    fs.symlinkSync(path.join(PROJECT_ROOT, 'plugins', 'webhooks'), path.join(root, 'plugins', 'webhooks'));
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'scaffold-check', private: true, type: 'module' }));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes a plugin and a test that type-check and pass', async () => {
    const res = await hookpress(['scaffold', 'plugin', 'my-notes', '--plugin_name', 'My Notes', '--dir', root], {});
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.include('Created plugins/my-notes/index.ts').and.include('Created test/plugins/my-notes/my-notes.test.ts').and.include('Success: Created plugin "my-notes".');
    const source = fs.readFileSync(path.join(root, 'plugins', 'my-notes', 'index.ts'), 'utf8');
    expect(source).to.include("name: 'My Notes'").and.include('add_menu_page').and.include('migrations').and.include('wu_register_event_type');
    // The asynchronous data API: a Kysely migration, queries on api.db, the event fired in a transaction.
    expect(source).to.include('async up(db, dialect)').and.include('await api.migrate(migrations)').and.include('await api.transaction(async (trx)');

    fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'tsconfig.json'), 'utf8')), include: ['plugins/my-notes', 'test/plugins/my-notes'] }));
    const tsc = await run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', root], root);
    expect(tsc.code, tsc.out).to.equal(0);

    const mocha = await run(process.execPath, [path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--node-option', 'import=tsx', '--require', path.join(PROJECT_ROOT, 'test', 'setup', 'esm-loader.cjs'), '--timeout', '30000', '--exit', 'test/plugins/my-notes/my-notes.test.ts'], root);
    expect(mocha.code, mocha.out).to.equal(0);
    expect(mocha.out).to.include('1 passing');
  });

  it('refuses a bad slug and an existing folder (unless --force)', async () => {
    const bad = await hookpress(['scaffold', 'plugin', 'My_Plugin', '--dir', root], {});
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.equal('Error: A plugin slug is 3–50 lowercase letters, digits and single hyphens, starting with a letter; got "My_Plugin".\n');
    fs.mkdirSync(path.join(root, 'plugins', 'taken'));
    const taken = await hookpress(['scaffold', 'plugin', 'taken', '--dir', root], {});
    expect(taken.code).to.equal(1);
    expect(taken.stderr).to.include('The folder plugins/taken already exists');
    const forced = await hookpress(['scaffold', 'plugin', 'taken', '--dir', root, '--force', '--skip-tests'], {});
    expect(forced.code, forced.stderr).to.equal(0);
    expect(fs.existsSync(path.join(root, 'test', 'plugins', 'taken'))).to.equal(false);
  });
});
