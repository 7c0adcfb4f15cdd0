import Database from 'better-sqlite3';
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Receiver } from '../../helpers/receiver.js';
import { firstPassOnly } from '../../helpers/app.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'poison-child.ts');

/** Resolves with the child's first stdout line starting with `prefix`; rejects if it exits first. */
function lineFrom(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const line = buffer.split('\n').find((l) => l.startsWith(prefix));
      if (line) resolve(line.slice(prefix.length));
    });
    child.on('exit', (code, signal) => reject(new Error(`the host exited (${code ?? signal}) before "${prefix}"`)));
  });
}

/** Waits until `read()` returns a value, checking each time the host's database may have changed. */
async function until<T>(read: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('plugins/webhooks: nothing a delivery does stops the host (process level)', () => {
  // Its host runs on a SQLite data directory (a real child process), whichever the pass.
  firstPassOnly();
  it('a throwing resolver callback, an IPv4-translated DNS answer and a throwing filter become failed attempts; the host keeps serving and delivering', async function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-poison-'));
    const receiver = new Receiver();
    await receiver.start();
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, receiver.url], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await lineFrom(child, 'READY ');
      await receiver.waitFor(1, 20_000);
      // Every poisoned delivery has its attempt recorded — by a host that is still alive.
      const db = new Database(path.join(dir, 'hookpress.sqlite'), { readonly: true, fileMustExist: true });
      const attempts = await until(() => {
        const rows = db
          .prepare('SELECT w.name, a.error_class, a.error_message FROM webhook_attempts a JOIN webhooks w ON w.id = a.webhook_id ORDER BY a.id')
          .all() as Array<{ name: string; error_class: string | null; error_message: string | null }>;
        return new Set(rows.map((r) => r.name)).size === 4 ? rows : undefined;
      }, 'an attempt of each webhook');
      db.close();
      const classOf = (name: string) => attempts.find((a) => a.name === name)!.error_class;
      expect(classOf('Healthy')).to.equal(null);
      expect(classOf('Filter bomb')).to.equal('internal');
      expect(attempts.find((a) => a.name === 'Filter bomb')!.error_message).to.include('a plugin filter failed');
      expect(classOf('Resolver bomb')).to.equal('dns');
      expect(classOf('Translated bomb')).to.be.oneOf(['blocked', 'refused', 'network']);
      expect(child.exitCode, 'the host is still running').to.equal(null);
      const page = await fetch(`${url}/wp-login.php`);
      expect(page.status).to.equal(200);
      // …and the next event is delivered.
      child.stdin!.write('fire\n');
      await receiver.waitFor(2, 20_000); // events 1 and 2 to Healthy (the bombs never reach it)
      const bodies = receiver.requests.filter((r) => r.path === '/hook').map((r) => JSON.parse(r.body).n as number);
      expect(bodies).to.include.members([1, 2]);
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      child.kill('SIGKILL');
      await receiver.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
