import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../core/app.js';
import { ADMIN_PASSWORD, makeApp, userByLogin } from '../helpers/app.js';

describe('core/app composition root and lifecycle', () => {
  it('builds isolated apps: hooks of one are not seen by another', async () => {
    const a = await makeApp();
    const b = await makeApp();
    let n = 0;
    a.hooks.add_action('init', () => void n++);
    b.hooks.do_action('init');
    expect(n).to.equal(0);
    await Promise.all([a.close(), b.close()]);
  });

  it('creates the super admin on first start, with a generated password when none is given', async () => {
    const hp = await makeApp({ adminPassword: undefined, adminUser: 'chief' });
    expect(hp.generatedAdminPassword).to.be.a('string').with.length.greaterThan(15);
    const chief = (await userByLogin(hp, 'chief'))!;
    expect(hp.host.users.is_super_admin(chief.id)).to.equal(true);
    expect(await hp.host.users.authenticate('chief', hp.generatedAdminPassword!)).to.not.equal(null);
    await hp.close();
  });

  it('keeps data, the secret and the admin across restarts of a DATA_DIR (no second admin)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-'));
    try {
      const first = await createApp({ dataDir: dir, logLevel: 'silent', passwordCost: 1024, adminPassword: ADMIN_PASSWORD, pluginSlugs: [] });
      first.host.options.update_site_option('site_name', 'Persisted');
      await first.close();
      const secret = fs.readFileSync(path.join(dir, 'secret.key'), 'utf8');
      expect((fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toString(8)).to.equal('600');
      const second = await createApp({ dataDir: dir, logLevel: 'silent', passwordCost: 1024, pluginSlugs: [] });
      expect(second.generatedAdminPassword).to.equal(undefined);
      expect(second.host.users.count()).to.equal(1);
      expect(second.host.options.get_site_option('site_name')).to.equal('Persisted');
      expect(fs.readFileSync(path.join(dir, 'secret.key'), 'utf8')).to.equal(secret);
      expect(second.db.pragma('journal_mode', { simple: true })).to.equal('wal');
      await second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shuts down gracefully: finishes an in-flight request, fires shutdown, closes the db', async () => {
    const hp = await makeApp({ port: 0 });
    const url = await hp.start();
    const login = await fetch(`${url}/wp-login.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ log: 'admin', pwd: ADMIN_PASSWORD }),
      redirect: 'manual',
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const order: string[] = [];
    let entered!: () => void;
    let release!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const gate = new Promise<void>((r) => (release = r));
    hp.hooks.add_action('load-dashboard-network', async () => {
      entered();
      await gate;
      order.push('request handled');
    });
    hp.hooks.add_action('shutdown', () => void order.push('shutdown'));
    const inflight = fetch(`${url}/wp-admin/network/`, { headers: { cookie } }).then((r) => r.status);
    await inside;
    const closing = hp.close().then(() => order.push('closed'));
    release();
    const [status] = await Promise.all([inflight, closing]);
    expect(status, 'the in-flight request got its full answer').to.equal(200);
    expect(order).to.deep.equal(['request handled', 'shutdown', 'closed']);
    const after = await hp.query.db.selectFrom('users').select('id').execute().then(() => null, (e: unknown) => e);
    expect(after, 'the database is closed').to.be.instanceOf(Error);
  });
});
