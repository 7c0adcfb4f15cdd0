import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { PROJECT_ROOT } from '../../core/config.js';
import { ChildHost, tempDataDir } from '../helpers/child-host.js';

/**
 * `npm run build` then plain node, as production runs it: tools/build.mjs compiles into a
 * folder of its own under .tmp/ (ignored, removed after), the compiled server starts with no
 * TypeScript loader on 127.0.0.1, port 0, a temporary DATA_DIR.
 */
describe('production build: compiled JavaScript runs with plain node', function () {
  this.timeout(180_000);
  const out = path.join(PROJECT_ROOT, '.tmp', `build-test-${process.pid}`);
  let data: ReturnType<typeof tempDataDir>;
  let host: ChildHost | undefined;

  before(() => {
    const built = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'tools', 'build.mjs'), out], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(built.status, `${built.stdout}\n${built.stderr}`).to.equal(0);
    data = tempDataDir('hookpress-prod-');
  });
  after(async () => {
    host?.kill();
    await host?.exited;
    data?.remove();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('holds JavaScript only where code is, plus the views, assets and package.json it reads', () => {
    expect(fs.existsSync(path.join(out, 'core', 'server.js'))).to.equal(true);
    expect(fs.existsSync(path.join(out, 'plugins', 'webhooks', 'index.js'))).to.equal(true);
    expect(fs.existsSync(path.join(out, 'plugins', 'webhooks', 'public', 'webhooks-admin.js'))).to.equal(true);
    expect(fs.existsSync(path.join(out, 'views', 'login.ejs'))).to.equal(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'package.json'), 'utf8'))).to.include({ type: 'module' });
    const ts = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? ts(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [e.name] : []));
    expect(ts(out), 'no TypeScript in the build').to.deep.equal([]);
  });

  it('serves /healthz, the login page, core and plugin assets from the build, then stops on SIGTERM', async () => {
    host = new ChildHost(
      spawn(process.execPath, [path.join(out, 'core', 'server.js')], {
        cwd: data.dir,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, ADMIN_PASSWORD: 'correct horse battery', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const url = await host.ready;
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await request(url).get('/healthz');
    expect([health.status, health.body.status]).to.deep.equal([200, 'ok']);
    const login = await request(url).get('/wp-login.php');
    expect(login.status).to.equal(200);
    expect(login.text).to.include('Username or Email Address');
    expect((await request(url).get('/assets/css/admin.css')).status).to.equal(200);
    expect((await request(url).get('/assets/plugins/webhooks/webhooks-admin.js')).status, 'a plugin asset').to.equal(200);
    await host.stop();
    expect((await host.exited).code).to.equal(0);
  });

  it('runs the CLI from the build (bin/hookpress.js): the plugins load and the data is read', () => {
    const cli = spawnSync(process.execPath, [path.join(out, 'bin', 'hookpress.js'), 'wu', 'event', 'list', '--format=json'], {
      cwd: data.dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: data.dir, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    expect(cli.status, cli.stderr).to.equal(0);
    const slugs = (JSON.parse(cli.stdout) as Array<{ slug: string }>).map((e) => e.slug);
    expect(slugs).to.include('payment_received');
  });
});
