import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../../core/app.js';
import type { WebhooksService } from '../../../plugins/webhooks/service.js';
import { Receiver } from '../../helpers/receiver.js';
import { PLUGINS_DIR, webhooksApi, webhooksEngine } from '../../helpers/webhooks.js';
import { firstPassOnly } from '../../helpers/app.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'crash-child.ts');

describe('plugins/webhooks durability', () => {
  // Its hosts run on a SQLite data directory (a real process killed and restarted), whichever the pass.
  firstPassOnly();
  it('loses nothing when the process is killed with SIGKILL mid-batch: a restart delivers everything', async function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-crash-'));
    const receiver = new Receiver();
    await receiver.start();
    const N = 200;
    // The first 50 requests are answered; the rest hang, so the child dies with deliveries in flight.
    let release!: () => void;
    const hang = new Promise<void>((r) => (release = r));
    receiver.reply = (_req, i) => (i < 50 ? { status: 200 } : { status: 200, hold: hang });
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, receiver.url, String(N)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      await receiver.waitFor(58, 40_000);
      child.kill('SIGKILL');
      expect(await exited).to.equal('SIGKILL');
      receiver.reply = () => ({ status: 200 });
      release();

      const hp = await createApp({
        dataDir: dir,
        logLevel: 'silent',
        passwordCost: 1024,
        pluginsDir: PLUGINS_DIR,
        pluginSlugs: ['webhooks', 'memberships'],
        plugins: { webhooks: { allowNetworks: '127.0.0.0/8' } },
      });
      const service = webhooksEngine(hp);
      const unique = () => new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size;
      while (unique() < N) await receiver.waitFor(receiver.requests.length + 1, 20_000);
      await service.worker.stop();
      expect(unique()).to.equal(N);
      const bodies = new Set(receiver.requests.map((r) => JSON.parse(r.body).n as number));
      expect(bodies.size).to.equal(N);
      const api = webhooksApi(hp);
      expect((await api.async.list_deliveries({ status: 'pending' })).total + (await api.async.list_deliveries({ status: 'succeeded' })).total).to.equal(N);
      await hp.close();
    } finally {
      child.kill('SIGKILL');
      release();
      await receiver.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
