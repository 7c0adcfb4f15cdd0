import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { makeApp } from '../../helpers/app.js';

const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

describe('data file modes (finding 1)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-modes-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a fresh DATA_DIR is 700 and the database, its WAL and shared-memory files and secret.key are 600', async () => {
    const dataDir = path.join(dir, 'data');
    const hp = await makeApp({ dataDir });
    try {
      await request(hp.app).get('/wp-login.php');
      hp.host.options.update_site_option('api_secret_probe', 'x');
      expect(mode(dataDir)).to.equal('700');
      for (const f of ['hookpress.sqlite', 'hookpress.sqlite-wal', 'hookpress.sqlite-shm', 'secret.key']) {
        expect(fs.existsSync(path.join(dataDir, f)), f).to.equal(true);
        expect(mode(path.join(dataDir, f)), f).to.equal('600');
      }
    } finally {
      await hp.close();
    }
  });

  it('tightens an existing installation whose files are world-readable', async () => {
    const dataDir = path.join(dir, 'data');
    const first = await makeApp({ dataDir });
    await first.close();
    fs.chmodSync(dataDir, 0o755);
    for (const f of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, f), 0o644);
    const hp = await makeApp({ dataDir });
    try {
      expect(mode(dataDir)).to.equal('700');
      for (const f of fs.readdirSync(dataDir).filter((f) => f.startsWith('hookpress.sqlite'))) expect(mode(path.join(dataDir, f)), f).to.equal('600');
    } finally {
      await hp.close();
    }
  });
});
