import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { firstPassOnly, makeApp, userByLogin } from '../../helpers/app.js';
import { freshDatabaseUrl, TEST_DATABASE_URL } from '../../helpers/backends.js';
import { onOneDataDir } from '../../helpers/two-hosts.js';

describe('core/users capabilities and super admins', () => {
  let hp: HookpressApp;
  beforeEach(async () => {
    hp = await makeApp();
  });
  afterEach(() => hp.close());

  it('a super admin has every capability except do_not_allow', async () => {
    const users = hp.host.users;
    const admin = (await userByLogin(hp, 'admin'))!;
    for (const cap of ['manage_network', 'manage_sites', 'anything_at_all']) expect(users.user_can(admin.id, cap)).to.equal(true);
    expect(users.user_can(admin.id, 'do_not_allow')).to.equal(false);
  });

  it('other users have none of the network capabilities; nobody has any', async () => {
    const { user } = await hp.host.users.create({ login: 'dave', email: 'dave@example.com', password: 'password 123' });
    expect(hp.host.users.user_can(user.id, 'manage_network')).to.equal(false);
    expect(hp.host.users.user_can(0, 'manage_network')).to.equal(false);
  });

  it('super admins live in the site_admins option; grant and revoke fire their actions', async () => {
    const { user } = await hp.host.users.create({ login: 'erin', email: 'erin@example.com', password: 'password 123' });
    const seen: string[] = [];
    for (const a of ['grant_super_admin', 'granted_super_admin', 'revoke_super_admin', 'revoked_super_admin']) {
      hp.hooks.add_action(a, (id: number) => void seen.push(`${a}:${id}`));
    }
    hp.host.users.grant_super_admin(user.id);
    expect(hp.host.options.get_site_option('site_admins')).to.deep.equal(['admin', 'erin']);
    hp.host.users.revoke_super_admin(user.id);
    expect(seen).to.deep.equal([`grant_super_admin:${user.id}`, `granted_super_admin:${user.id}`, `revoke_super_admin:${user.id}`, `revoked_super_admin:${user.id}`]);
  });

  it('stores scrypt hashes, never the password', async () => {
    await hp.host.users.create({ login: 'frank', email: 'frank@example.com', password: 'plain text pw' });
    const row = await hp.query.db.selectFrom('users').select('pass_hash').where('login', '=', 'frank').executeTakeFirstOrThrow();
    expect(row.pass_hash).to.match(/^scrypt\$/).and.not.include('plain text pw');
    expect(await hp.host.users.authenticate('frank', 'plain text pw')).to.include({ login: 'frank' });
    expect(await hp.host.users.authenticate('frank', 'wrong')).to.equal(null);
  });

  it('rejects invalid users with typed errors naming the field', async () => {
    const cases: Array<[object, string, string]> = [
      [{ login: '', email: 'a@b.c' }, 'USER_INVALID_LOGIN', 'login'],
      [{ login: 'admin', email: 'a@b.c' }, 'USER_LOGIN_EXISTS', 'login'],
      [{ login: 'ok', email: 'not-an-email' }, 'USER_INVALID_EMAIL', 'email'],
      [{ login: 'ok', email: 'a@b.c', password: 'short' }, 'USER_WEAK_PASSWORD', 'password'],
    ];
    for (const [input, code, field] of cases) {
      const err = await hp.host.users.create(input as never).then(() => null, (e: unknown) => e as { code: string; field: string });
      expect(err).to.include({ code, field });
    }
  });
});

describe('core/users custom capabilities: two hosts on one SQLite DATA_DIR', () => {
  it('a grant through a host whose options cache is behind keeps the other host\'s grant', () =>
    onOneDataDir(makeApp, (hp) => hp.close(), async (a, b) => {
      for (const hp of [a, b]) hp.host.capabilities.register('manage_coupons', 'Manage coupons', 'test');
      a.host.capabilities.add_cap(7, 'manage_coupons');
      // b has served no request since: its cache lacks a's grant, yet its own grant keeps it.
      b.host.capabilities.add_cap(8, 'manage_coupons');
      b.host.capabilities.remove_cap(9, 'manage_coupons');
      a.host.options.refreshSync();
      expect(a.host.options.get_site_option('hookpress_user_capabilities')).to.deep.equal({ 7: ['manage_coupons'], 8: ['manage_coupons'] });
    }));
});

(TEST_DATABASE_URL ? describe : describe.skip)('core/users: a user deleted through another PostgreSQL host process', function () {
  firstPassOnly();

  it('is forgotten by the other process at its next look (notification or poll), not served from its cache', async () => {
    const url = await freshDatabaseUrl();
    const a = await makeApp({ databaseUrl: url });
    const b = await makeApp({ databaseUrl: url });
    try {
      const { user } = await a.host.users.create({ login: 'gone', email: 'gone@example.com', password: 'a long enough password' });
      const keep = (await a.host.users.create({ login: 'kept', email: 'kept@example.com', password: 'a long enough password' })).user;
      await b.host.users.getAsync(user.id);
      await b.host.users.getAsync(keep.id);
      await b.optionsSync.poll();
      expect(b.host.users.get(user.id)?.login).to.equal('gone');
      expect(await a.host.users.deleteAsync(user.id)).to.equal(true);
      await b.optionsSync.poll();
      expect(b.host.users.get(user.id), 'the deleted user').to.equal(undefined);
      expect(b.host.users.get(keep.id)?.login, 'the others stay known').to.equal('kept');
    } finally {
      await b.close();
      await a.close();
    }
  });
});
