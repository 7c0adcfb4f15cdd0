import { expect } from 'chai';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { createApp } from '../../../core/app.js';
import type { WebhooksService } from '../../../plugins/webhooks/service.js';
import { ADMIN_PASSWORD, FIXTURE_PLUGINS, loginAgent, nonceIn } from '../../helpers/app.js';
import { ChildHost, loginChild, pluginsFolder, tempDataDir } from '../../helpers/child-host.js';

const { release } = (await import(pathToFileURL(path.join(FIXTURE_PLUGINS, 'aaa-write-lock', 'index.ts')).href)) as { release: () => boolean };

/** Another connection holding SQLite's write lock on a host's database until released. */
function holdWriteLock(dataDir: string): { release: () => void } {
  const db = new Database(path.join(dataDir, 'hookpress.sqlite'));
  db.exec('BEGIN IMMEDIATE');
  return {
    release: () => {
      if (!db.open) return;
      db.exec('COMMIT');
      db.close();
    },
  };
}

describe('storage faults: a passing fault is neither a crash nor a permanent change', function () {
  this.timeout(60_000);

  describe('a write lock held by another process (process level)', () => {
    let data: ReturnType<typeof tempDataDir>;
    let host: ChildHost | undefined;
    let lock: { release: () => void } | undefined;
    beforeEach(() => (data = tempDataDir()));
    afterEach(async () => {
      lock?.release();
      host?.kill();
      await host?.exited;
      data.remove();
    });

    it('session touch under the lock: admin pages still answer, writes get a 503 that says why, and the process lives on', async () => {
      host = ChildHost.start({ DATA_DIR: data.dir, DB_BUSY_TIMEOUT_MS: '50' });
      const url = await host.ready;
      const agent = await loginChild(url);
      const settings = await agent.get('/wp-admin/network/settings.php');
      expect(settings.status).to.equal(200);

      lock = holdWriteLock(data.dir);
      const page = await agent.get('/wp-admin/network/');
      expect(page.status, 'reads need no write lock; the failed touch only loses an expiry extension').to.equal(200);
      expect((await agent.get('/wp-admin/network/')).status).to.equal(200);
      const save = await agent
        .post('/wp-admin/network/settings.php')
        .type('form')
        .send({ _wpnonce: nonceIn(settings.text), site_name: 'Renamed Network', admin_email: 'admin@example.com' });
      expect(save.status).to.equal(503);
      expect(save.headers['retry-after']).to.equal('5');
      expect(save.text).to.include('The database is busy').and.include('try again');
      expect(host.alive, 'the host process is still running').to.equal(true);

      lock.release();
      const again = await agent
        .post('/wp-admin/network/settings.php')
        .type('form')
        .send({ _wpnonce: nonceIn(settings.text), site_name: 'Renamed Network', admin_email: 'admin@example.com' });
      expect(again.status).to.equal(303);
      expect((await agent.get('/wp-admin/network/')).text).to.include('Renamed Network');
    });

    it('a lock held while the host starts is waited out: webhooks stay active, and work after the release and after a restart', async () => {
      host = ChildHost.start({ DATA_DIR: data.dir });
      await host.ready;
      await host.stop();

      lock = holdWriteLock(data.dir);
      host = ChildHost.start({ DATA_DIR: data.dir, DB_BUSY_TIMEOUT_MS: '100' });
      await host.waitFor((l) => /database is unavailable; retrying/.test(l.msg ?? ''));
      lock.release();
      let url = await host.ready;
      let agent = await loginChild(url);
      const list = await agent.get('/wp-admin/network/admin.php?page=webhooks');
      expect(list.status).to.equal(200);
      expect(list.text).not.to.include('was deactivated');
      await host.stop();

      host = ChildHost.start({ DATA_DIR: data.dir });
      url = await host.ready;
      agent = await loginChild(url);
      expect((await agent.get('/wp-admin/network/admin.php?page=webhooks')).status, 'still active after a normal restart').to.equal(200);
    });
  });

  describe('the plugin loader: transient is not broken', () => {
    let data: ReturnType<typeof tempDataDir>;
    let plugins: ReturnType<typeof pluginsFolder>;
    beforeEach(() => {
      data = tempDataDir();
      plugins = pluginsFolder(['webhooks'], ['aaa-write-lock']);
    });
    afterEach(() => {
      release();
      data.remove();
      plugins.remove();
    });

    const start = (sleep: (ms: number) => Promise<void>) =>
      createApp({
        dataDir: data.dir,
        logLevel: 'silent',
        passwordCost: 1024,
        adminPassword: ADMIN_PASSWORD,
        pluginsDir: plugins.dir,
        runScheduler: false,
        busyTimeoutMs: 20,
        startupRetry: { delaysMs: [5, 10, 20], sleep },
        // The webhook below points at this machine: allowed, as the API refuses blocked IP literals.
        plugins: { webhooks: { autoStart: false, allowNetworks: '127.0.0.0/8' } },
      });

    it('retries a load that met a real write lock (another connection), and the plugin works once it is released', async () => {
      const waits: number[] = [];
      const hp = await start(async (ms) => {
        waits.push(ms);
        release();
      });
      try {
        expect(waits, 'webhooks met SQLITE_BUSY once and was retried').to.deep.equal([5]);
        expect(hp.plugins.isActive('webhooks')).to.equal(true);
        const service = hp.host.services.get('webhooks')!.service as WebhooksService;
        service.create_webhook({ name: 'After the lock', url: 'http://127.0.0.1:9/hook', event: 'user_created' });
        expect(service.wu_do_event('user_created', { n: 1 })).to.be.a('string');
        expect(hp.host.notices.list()).to.deep.equal([]);
        const agent = await loginAgent(hp);
        expect((await agent.get('/wp-admin/network/admin.php?page=webhooks')).status).to.equal(200);
      } finally {
        await hp.close();
      }
    });

    it('when the lock outlasts every retry, the plugin is not loaded this time but stays active, and says so', async () => {
      const hp = await start(async () => {});
      try {
        expect(hp.plugins.isActive('webhooks'), 'still active: it loads at the next start').to.equal(true);
        expect(hp.host.services.get('webhooks')).to.equal(undefined);
        release();
        const listing = hp.plugins.list().find((p) => p.slug === 'webhooks')!;
        expect(listing.error).to.include('not loaded at this start').and.include('database is busy');
      } finally {
        await hp.close();
      }
      const again = await start(async () => void release());
      try {
        expect(again.host.services.get('webhooks'), 'a normal restart loads it').not.to.equal(undefined);
      } finally {
        await again.close();
      }
    });
  });
});
