import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { tempDataDir } from '../../helpers/cli.js';
import { Receiver } from '../../helpers/receiver.js';
import { environment } from '../../../core/config.js';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'hookpress.js');

/** `npx hookpress …` run from `cwd`, as an operator does from the project folder. */
function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ADMIN_PASSWORD: 'cli-admin-password', LOG_LEVEL: 'error', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('the CLI reads the server’s configuration (finding 7)', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDataDir>;
  let receiver: Receiver;
  beforeEach(async () => {
    dir = tempDataDir();
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(async () => {
    await receiver.close();
    dir.remove();
  });

  it('`wu webhook test` honours WEBHOOKS_ALLOW_NETWORKS from .env, the file `npm start` reads too', async () => {
    fs.writeFileSync(path.join(dir.dir, '.env'), `DATA_DIR=${path.join(dir.dir, 'data')}\nWEBHOOKS_ALLOW_NETWORKS=127.0.0.0/8\n`);
    const created = await run(['wu', 'webhook', 'create', '--name=Local', `--url=${receiver.url}/in`, '--event=payment_received', '--porcelain'], dir.dir);
    expect(created.code, created.stderr).to.equal(0);
    expect(fs.existsSync(path.join(dir.dir, 'data', 'hookpress.sqlite'))).to.equal(true);
    const test = await run(['wu', 'webhook', 'test', created.stdout.trim()], dir.dir);
    expect(test.code, test.stderr).to.equal(0);
    expect(test.stdout).to.match(/^Success: The endpoint answered HTTP 200/);
    expect(receiver.requests).to.have.length(1);
  });

  it('without the allowlist, the refusal says the CLI sends the test itself and where to configure it', async () => {
    const env = { DATA_DIR: path.join(dir.dir, 'data') };
    // Saved while loopback was allowed (a blocked literal is refused at save), tested without.
    const created = await run(['wu', 'webhook', 'create', '--name=Local', `--url=${receiver.url}/in`, '--event=payment_received', '--porcelain'], dir.dir, { ...env, WEBHOOKS_ALLOW_NETWORKS: '127.0.0.0/8' });
    expect(created.code, created.stderr).to.equal(0);
    const test = await run(['wu', 'webhook', 'test', created.stdout.trim()], dir.dir, env);
    expect(test.code).to.equal(1);
    expect(test.stderr).to.include('loopback').and.include('The CLI sends test events itself').and.include('.env');
    expect(receiver.requests).to.have.length(0);
  });

  it('environment(): the process environment wins over .env; HOOKPRESS_ENV_FILE names another file', () => {
    fs.writeFileSync(path.join(dir.dir, '.env'), 'PORT=9000\nHOST=0.0.0.0\n');
    expect(environment({ PORT: '8081' }, dir.dir)).to.include({ PORT: '8081', HOST: '0.0.0.0' });
    fs.writeFileSync(path.join(dir.dir, 'other.env'), 'PORT=7000\n');
    expect(environment({ HOOKPRESS_ENV_FILE: 'other.env' }, dir.dir).PORT).to.equal('7000');
    expect(() => environment({ HOOKPRESS_ENV_FILE: 'missing.env' }, dir.dir)).to.throw(/HOOKPRESS_ENV_FILE/);
    expect(environment({ A: '1' }, path.join(dir.dir, 'nowhere'))).to.deep.equal({ A: '1' });
  });
});
