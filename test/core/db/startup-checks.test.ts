import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { createApp } from '../../../core/app.js';
import { checkDatabaseFile, checkDataDir, StartupError, type CheckFs } from '../../../core/db/startup-checks.js';
import { acquireDataDirLock, LOCK_FILE } from '../../../core/db/data-dir-lock.js';
import { ADMIN_PASSWORD } from '../../helpers/app.js';
import { ChildHost, loginChild, tempDataDir } from '../../helpers/child-host.js';

const DB = 'hookpress.sqlite';

/** A DATA_DIR a host has run on (database, secret), stopped. */
async function usedDataDir(): Promise<ReturnType<typeof tempDataDir>> {
  const data = tempDataDir('hookpress-startup-');
  const hp = await createApp({ dataDir: data.dir, logLevel: 'silent', passwordCost: 1024, adminPassword: ADMIN_PASSWORD, pluginSlugs: [], runScheduler: false });
  hp.host.options.update_site_option('site_name', 'Precious Network');
  await hp.close();
  return data;
}

/** Runs `npm start`'s entry on `dir` and expects a refusal: exit status 1, a message, no stack trace. */
async function refusal(dir: string): Promise<string> {
  const host = ChildHost.start({ DATA_DIR: dir });
  const { code } = await host.exited;
  expect(code, host.stdout + host.stderr).to.equal(1);
  expect(host.stderr).to.match(/Hookpress cannot start: /);
  expect(host.stderr, 'no stack trace').not.to.match(/^\s+at /m);
  return host.stderr;
}

describe('start-up checks: refuse to start with the path, what is wrong and what to do', function () {
  this.timeout(60_000);
  const dirs: Array<{ remove: () => void }> = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('refuses an invalid secret.key, a 0-byte database and a corrupt database, and never re-initialises them (process level)', async () => {
    const badSecret = await usedDataDir();
    const empty = await usedDataDir();
    const garbage = await usedDataDir();
    const damaged = await usedDataDir();
    dirs.push(badSecret, empty, garbage, damaged);
    fs.writeFileSync(path.join(badSecret.dir, 'secret.key'), 'this is not base64 at all!\n');
    fs.writeFileSync(path.join(empty.dir, DB), '');
    for (const f of ['-wal', '-shm']) fs.rmSync(path.join(empty.dir, DB + f), { force: true });
    fs.writeFileSync(path.join(garbage.dir, DB), Buffer.alloc(8192, 0x5a));
    // Page 1 (the schema) overwritten after the 100-byte header: the header still says SQLite.
    const fd = fs.openSync(path.join(damaged.dir, DB), 'r+');
    fs.writeSync(fd, Buffer.alloc(3000, 0xff), 0, 3000, 100);
    fs.closeSync(fd);

    const [secretMsg, emptyMsg, garbageMsg, damagedMsg] = await Promise.all([badSecret, empty, garbage, damaged].map((d) => refusal(d.dir)));
    expect(secretMsg).to.include(path.join(badSecret.dir, 'secret.key')).and.include('is not a valid key').and.include('delete it to have a new one generated');
    expect(fs.readFileSync(path.join(badSecret.dir, 'secret.key'), 'utf8'), 'the key file is left as it was').to.equal('this is not base64 at all!\n');
    expect(emptyMsg).to.include(path.join(empty.dir, DB)).and.include('is empty (0 bytes)').and.include('restore it from your backup');
    expect(fs.statSync(path.join(empty.dir, DB)).size, 'no new database (and no new super admin) in its place').to.equal(0);
    expect(garbageMsg).to.include(path.join(garbage.dir, DB)).and.include('is damaged').and.include('.recover');
    expect(damagedMsg).to.include(path.join(damaged.dir, DB)).and.include('is damaged');
    for (const d of [badSecret, empty, garbage, damaged]) expect(fs.existsSync(path.join(d.dir, LOCK_FILE)), 'the lock is released').to.equal(false);
  });

  it('refuses a second host process on the same DATA_DIR, naming the holder; takes over a stale lock after a SIGKILL (process level)', async () => {
    const data = tempDataDir();
    dirs.push(data);
    const first = ChildHost.start({ DATA_DIR: data.dir });
    try {
      const url = await first.ready;
      const lock = JSON.parse(fs.readFileSync(path.join(data.dir, LOCK_FILE), 'utf8')) as { pid: number };
      expect(lock.pid).to.equal(first.child.pid);
      const msg = await refusal(data.dir);
      expect(msg).to.include(`Another Hookpress process (pid ${first.child.pid}`).and.include(data.dir).and.include('stop that process first');
      expect((await (await loginChild(url)).get('/wp-admin/network/')).status, 'the first host is unaffected').to.equal(200);

      first.kill();
      await first.exited;
      expect(fs.existsSync(path.join(data.dir, LOCK_FILE)), 'SIGKILL leaves the lock file behind').to.equal(true);
      const second = ChildHost.start({ DATA_DIR: data.dir });
      try {
        await second.ready;
        const taken = JSON.parse(fs.readFileSync(path.join(data.dir, LOCK_FILE), 'utf8')) as { pid: number };
        expect(taken.pid, 'the stale lock was taken over').to.equal(second.child.pid);
      } finally {
        await second.stop();
      }
      expect(fs.existsSync(path.join(data.dir, LOCK_FILE)), 'a graceful stop releases the lock').to.equal(false);
    } finally {
      first.kill();
    }
  });

  it('refuses a second host in the same process too, and releases the lock on close', async () => {
    const data = tempDataDir();
    dirs.push(data);
    const hp = await createApp({ dataDir: data.dir, logLevel: 'silent', passwordCost: 1024, adminPassword: ADMIN_PASSWORD, pluginSlugs: [], runScheduler: false });
    try {
      expect(() => acquireDataDirLock(data.dir)).to.throw(StartupError, `pid ${process.pid}`);
    } finally {
      await hp.close();
    }
    acquireDataDirLock(data.dir).release();
  });

  // The user running the tests may be root, whom chmod does not stop: the file system's answers are injected.
  const failing = (call: keyof CheckFs, code: string): CheckFs => {
    const fake = { ...fs } as unknown as Record<string, unknown>;
    fake[call] = () => {
      throw Object.assign(new Error(`${code}: injected`), { code });
    };
    return fake as unknown as CheckFs;
  };

  it('refuses a read-only DATA_DIR (EROFS, EACCES) and one it cannot create, naming it and what to do', () => {
    const data = tempDataDir();
    dirs.push(data);
    expect(() => checkDataDir(data.dir, failing('writeFileSync', 'EROFS'))).to.throw(StartupError, `The data folder ${data.dir} is read-only (EROFS)`);
    expect(() => checkDataDir(data.dir, failing('writeFileSync', 'EACCES'))).to.throw(StartupError, 'set DATA_DIR to a writable folder');
    expect(() => checkDataDir(path.join(data.dir, 'x'), failing('mkdirSync', 'EACCES'))).to.throw(StartupError, 'cannot create its data folder');
    expect(() => checkDataDir(data.dir)).not.to.throw();
  });

  it('refuses an unreadable database file, naming it and what to do', async () => {
    const data = await usedDataDir();
    dirs.push(data);
    const file = path.join(data.dir, DB);
    expect(() => checkDatabaseFile(file, failing('openSync', 'EACCES'))).to.throw(StartupError, `The database file ${file} cannot be read (EACCES)`);
    expect(() => checkDatabaseFile(file)).not.to.throw();
    expect(() => checkDatabaseFile(path.join(data.dir, 'absent.sqlite')), 'a missing file is a fresh install').not.to.throw();
  });
});
