import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { loginAgent, makeApp, nonceIn, nonceNear, type Agent } from '../../helpers/app.js';

describe('core/admin network screens', () => {
  let hp: HookpressApp;
  let agent: Agent;
  beforeEach(async () => {
    hp = await makeApp();
    agent = await loginAgent(hp);
  });
  afterEach(() => hp.close());

  describe('shell', () => {
    it('renders the admin bar, the left menu and the dashboard counts', async () => {
      const res = await agent.get('/wp-admin/network/');
      expect(res.status).to.equal(200);
      expect(res.text).to.include('Hookpress Network').and.include('Howdy, <strong>admin</strong>').and.include('Log Out');
      for (const label of ['Dashboard', 'Sites', 'Users', 'Plugins', 'Settings']) expect(res.text).to.include(`<span class="menu-name">${label}</span>`);
      expect(res.text).to.include('<strong>1</strong> sites').and.include('<strong>1</strong> users');
    });

    it('answers unknown admin URLs with a friendly 404 page', async () => {
      const res = await agent.get('/wp-admin/network/nope.php');
      expect(res.status).to.equal(404);
      expect(res.text).to.include('Not Found');
      const plugin = await agent.get('/wp-admin/network/admin.php?page=missing');
      expect(plugin.status).to.equal(404);
    });

    it('answers an unexpected error with a friendly 500 page, without details or stack', async () => {
      hp.hooks.add_action('load-dashboard-network', () => {
        throw new Error('database password is hunter2');
      });
      const res = await agent.get('/wp-admin/network/');
      expect(res.status).to.equal(500);
      expect(res.text).to.include('Something went wrong').and.include('The error has been logged.');
      expect(res.text).not.to.include('hunter2');
      expect(res.text).not.to.match(/\.ts:\d+/);
    });

    it('sends security headers', async () => {
      const res = await agent.get('/wp-admin/network/');
      expect(res.headers['content-security-policy']).to.include("script-src 'self'");
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
      expect(res.headers['x-frame-options']).to.equal('SAMEORIGIN');
    });

    it('shows a one-shot notice on the next page only', async () => {
      const page = await agent.get('/wp-admin/network/settings.php');
      await agent.post('/wp-admin/network/settings.php').type('form').send({ _wpnonce: nonceIn(page.text), site_name: 'Net', admin_email: 'a@b.co' });
      expect((await agent.get('/wp-admin/network/')).text).to.include('Settings saved.');
      expect((await agent.get('/wp-admin/network/')).text).not.to.include('Settings saved.');
    });

    it('prints notices from network_admin_notices and all_admin_notices, in that order', async () => {
      hp.hooks.add_action('all_admin_notices', (p: { notice(t: string, m: string): void }) => p.notice('info', 'second <b>notice</b>'));
      hp.hooks.add_action('network_admin_notices', (p: { notice(t: string, m: string): void }) => p.notice('warning', 'first notice'));
      const res = await agent.get('/wp-admin/network/');
      expect(res.text.indexOf('first notice')).to.be.lessThan(res.text.indexOf('second &lt;b&gt;notice&lt;/b&gt;'));
    });

    it('persistent notices stay until dismissed with a nonce', async () => {
      const id = hp.host.notices.add({ type: 'error', message: 'Endpoint disabled' });
      const page = await agent.get('/wp-admin/network/');
      expect(page.text).to.include('Endpoint disabled');
      expect((await agent.get('/wp-admin/network/sites.php')).text).to.include('Endpoint disabled');
      const bad = await agent.post('/wp-admin/network/dismiss-notice').type('form').send({ id, _wpnonce: 'bad' });
      expect(bad.status).to.equal(403);
      const ok = await agent.post('/wp-admin/network/dismiss-notice').type('form').send({ id, _wpnonce: nonceNear(page.text, `value="${id}"`), redirect_to: '/wp-admin/network/' });
      expect(ok.status).to.equal(303);
      expect((await agent.get('/wp-admin/network/')).text).not.to.include('Endpoint disabled');
    });
  });

  describe('Sites', () => {
    it('adds a site, firing wp_initialize_site with the site', async () => {
      const fired: unknown[] = [];
      hp.hooks.add_action('wp_initialize_site', (site: unknown) => void fired.push(site));
      const form = await agent.get('/wp-admin/network/site-new.php');
      const res = await agent.post('/wp-admin/network/site-new.php').type('form').send({ _wpnonce: nonceIn(form.text), slug: 'shop', title: 'The Shop', admin_email: 'shop@example.com' });
      expect(res.status).to.equal(303);
      expect(fired).to.have.length(1);
      expect(fired[0]).to.include({ slug: 'shop', title: 'The Shop' });
      const list = await agent.get('/wp-admin/network/sites.php');
      expect(list.text).to.include('The Shop').and.include('Site “The Shop” added.');
    });

    it('re-renders the form with values kept and an error next to the field', async () => {
      const form = await agent.get('/wp-admin/network/site-new.php');
      const res = await agent.post('/wp-admin/network/site-new.php').type('form').send({ _wpnonce: nonceIn(form.text), slug: 'Bad Slug!', title: 'Keep me', admin_email: 'x@example.com' });
      expect(res.status).to.equal(422);
      expect(res.text).to.include('value="Keep me"').and.include('id="slug-error"').and.include('aria-invalid="true"');
    });

    it('deletes a site through the confirmation page, firing wp_delete_site; the main site stays', async () => {
      const site = await hp.host.sites.createAsync({ slug: 'gone', title: 'Gone', admin_email: 'g@example.com' });
      const deleted: unknown[] = [];
      hp.hooks.add_action('wp_delete_site', (s: unknown) => void deleted.push(s));
      const confirm = await agent.get(`/wp-admin/network/sites.php?action=confirm-delete&id=${site.id}`);
      expect(confirm.text).to.include('You are about to delete the site');
      await agent.post('/wp-admin/network/sites.php').type('form').send({ _wpnonce: nonceIn(confirm.text), action: 'delete', 'ids[]': [String(site.id), '1'] });
      expect(deleted).to.have.length(1);
      expect(await hp.host.sites.getAsync(site.id)).to.equal(undefined);
      expect(await hp.host.sites.getAsync(1)).to.not.equal(undefined);
    });

    it('searches, sorts and paginates', async () => {
      for (let i = 0; i < 25; i++) await hp.host.sites.createAsync({ slug: `s${String(i).padStart(2, '0')}`, title: `Site ${i}`, admin_email: 'a@b.co' });
      const p1 = await agent.get('/wp-admin/network/sites.php?orderby=slug&order=desc');
      expect(p1.text).to.include('Page 1 of 2').and.include('26 items');
      expect(p1.text.indexOf('s24')).to.be.lessThan(p1.text.indexOf('s23'));
      const found = await agent.get('/wp-admin/network/sites.php?s=s07');
      expect(found.text).to.include('1 item').and.include('Site 7');
    });
  });

  describe('Users', () => {
    it('adds a user, firing user_register with the user id', async () => {
      const ids: number[] = [];
      hp.hooks.add_action('user_register', (id: number) => void ids.push(id));
      const form = await agent.get('/wp-admin/network/user-new.php');
      const res = await agent.post('/wp-admin/network/user-new.php').type('form').send({ _wpnonce: nonceIn(form.text), user_login: 'grace', email: 'grace@example.com', pass1: '' });
      expect(res.status).to.equal(303);
      expect(ids).to.deep.equal([(await hp.host.users.find('grace'))!.id]);
      const list = await agent.get('/wp-admin/network/users.php');
      expect(list.text).to.match(/User grace added\. Their generated password is: \S{20}/);
    });

    it('deletes a user (firing delete_user) but never the current user', async () => {
      const { user } = await hp.host.users.create({ login: 'henry', email: 'henry@example.com', password: 'password 123' });
      const deleted: number[] = [];
      hp.hooks.add_action('delete_user', (id: number) => void deleted.push(id));
      const list = await agent.get('/wp-admin/network/users.php');
      const me = (await hp.host.users.find('admin'))!.id;
      await agent.post('/wp-admin/network/users.php').type('form').send({ _wpnonce: nonceIn(list.text), action: 'delete', 'ids[]': [String(user.id), String(me)] });
      expect(deleted).to.deep.equal([user.id]);
      expect(await hp.host.users.getAsync(me)).to.not.equal(undefined);
      expect((await agent.get('/wp-admin/network/users.php')).text).to.include('You cannot delete your own account.');
      const self = await agent.get(`/wp-admin/network/users.php?action=confirm-delete&id=${me}`);
      expect(self.status).to.equal(403);
    });

    it('grants and revokes super admin, but a user cannot demote themself', async () => {
      const { user } = await hp.host.users.create({ login: 'ivy', email: 'ivy@example.com', password: 'password 123' });
      const list = await agent.get('/wp-admin/network/users.php');
      const nonce = nonceIn(list.text);
      await agent.post('/wp-admin/network/users.php').type('form').send({ _wpnonce: nonce, action: 'grant_super_admin', 'ids[]': String(user.id) });
      expect(await hp.host.users.isSuperAdmin(user.id)).to.equal(true);
      const me = (await hp.host.users.find('admin'))!.id;
      await agent.post('/wp-admin/network/users.php').type('form').send({ _wpnonce: nonce, action: 'revoke_super_admin', 'ids[]': String(me) });
      expect(await hp.host.users.isSuperAdmin(me)).to.equal(true);
    });
  });

  describe('Settings', () => {
    it('saves the network name and admin email through the options API', async () => {
      const updated: string[] = [];
      hp.hooks.add_action('update_site_option', (name: string) => void updated.push(name));
      const form = await agent.get('/wp-admin/network/settings.php');
      await agent.post('/wp-admin/network/settings.php').type('form').send({ _wpnonce: nonceIn(form.text), site_name: 'My Network', admin_email: 'boss@example.com' });
      expect(hp.host.options.get_site_option('site_name')).to.equal('My Network');
      expect(updated).to.include.members(['site_name', 'admin_email']);
      expect((await agent.get('/wp-admin/network/')).text).to.include('My Network');
    });

    it('validates and keeps the values', async () => {
      const form = await agent.get('/wp-admin/network/settings.php');
      const res = await agent.post('/wp-admin/network/settings.php').type('form').send({ _wpnonce: nonceIn(form.text), site_name: '', admin_email: 'nope' });
      expect(res.status).to.equal(422);
      expect(res.text).to.include('The network title cannot be empty.').and.include('Enter a valid email address.');
    });
  });

  describe('nonces and capabilities on every state change', () => {
    const posts: Array<[string, Record<string, string>]> = [
      ['/wp-admin/network/settings.php', { site_name: 'X', admin_email: 'a@b.co' }],
      ['/wp-admin/network/site-new.php', { slug: 'x', title: 'X', admin_email: 'a@b.co' }],
      ['/wp-admin/network/user-new.php', { user_login: 'x', email: 'x@b.co' }],
      ['/wp-admin/network/sites.php', { action: 'delete', 'ids[]': '1' }],
      ['/wp-admin/network/users.php', { action: 'delete', 'ids[]': '1' }],
      ['/wp-admin/network/plugins.php', { action: 'activate', plugin: 'sample' }],
    ];

    it('refuses a missing nonce with 403 “The link you followed has expired.”', async () => {
      for (const [url, body] of posts) {
        const res = await agent.post(url).type('form').send(body);
        expect(res.status, url).to.equal(403);
        expect(res.text).to.include('The link you followed has expired.');
      }
    });

    it('refuses a nonce of another user, and a stale one', async () => {
      const form = await agent.get('/wp-admin/network/settings.php');
      const nonce = nonceIn(form.text);
      const { user } = await hp.host.users.create({ login: 'judy', email: 'judy@example.com', password: 'password 123' });
      hp.host.users.grant_super_admin(user.id);
      const judy = await loginAgent(hp, 'judy', 'password 123');
      const res = await judy.post('/wp-admin/network/settings.php').type('form').send({ _wpnonce: nonce, site_name: 'Hacked', admin_email: 'a@b.co' });
      expect(res.status).to.equal(403);
      expect(hp.host.options.get_site_option('site_name')).to.not.equal('Hacked');
    });

    it('refuses a user without the capability even with a valid nonce of their own', async () => {
      await hp.host.users.create({ login: 'ken', email: 'ken@example.com', password: 'password 123' });
      const ken = await loginAgent(hp, 'ken', 'password 123');
      for (const [url, body] of posts) {
        const res = await ken.post(url).type('form').send(body);
        expect(res.status, url).to.equal(403);
      }
    });
  });

  describe('escaping', () => {
    it('renders names containing <script> as text everywhere', async () => {
      const evil = '<script>alert(1)</script>';
      await hp.host.users.create({ login: 'mallory', email: 'm@example.com', display_name: evil, password: 'password 123' });
      await hp.host.sites.createAsync({ slug: 'evil', title: evil, admin_email: 'm@example.com' });
      hp.host.options.update_site_option('site_name', evil);
      for (const url of ['/wp-admin/network/', '/wp-admin/network/users.php', '/wp-admin/network/sites.php', '/wp-admin/network/settings.php']) {
        const res = await agent.get(url);
        expect(res.text, url).not.to.include(evil);
        expect(res.text, url).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
      }
      const login = await loginAgent(hp, 'mallory', 'password 123').catch(() => null);
      void login;
    });
  });
});
