import { expect } from 'chai';
import http from 'node:http';
import type { HookpressApp } from '../../../core/app.js';
import { ADMIN_PASSWORD, loginAgent, makeApp } from '../../helpers/app.js';

/** POSTs the login form from a given local address (127.0.0.x: a different client IP), without following redirects. */
function loginFrom(base: string, localAddress: string, log: string, pwd: string): Promise<number> {
  const body = new URLSearchParams({ log, pwd }).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}/wp-login.php`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('auth edges', () => {
  let hp: HookpressApp;
  afterEach(() => hp.close());

  it('a logged-in user without network rights gets a page that says so, with Log Out and a way to log in as someone else', async () => {
    hp = await makeApp();
    await hp.host.users.create({ login: 'bob', email: 'bob@example.com', password: 'bob password 1' });
    const bob = await loginAgent(hp, 'bob', 'bob password 1');
    const denied = await bob.get('/wp-admin/network/');
    expect(denied.status).to.equal(403);
    expect(denied.text).to.include('You are logged in as bob, who does not have network admin rights.');
    const links = [...denied.text.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[2], m[1]!.replace(/&amp;/g, '&')]);
    const logout = links.find(([label]) => label === 'Log Out')![1]!;
    const other = links.find(([label]) => label === 'Log in as someone else')![1]!;

    // /wp-login.php does not bounce back to the 403: it offers the form.
    const form = await bob.get('/wp-login.php');
    expect(form.status).to.equal(200);
    expect(form.text).to.include('You are logged in as bob, who cannot manage this network.').and.include('id="loginform"');

    const out = await bob.get(other);
    expect(out.status).to.equal(303);
    expect(out.headers.location).to.equal('/wp-login.php?loggedout=true&redirect_to=%2Fwp-admin%2Fnetwork%2F');
    expect((await bob.get('/wp-admin/network/')).status, 'logged out').to.equal(302);
    const admin = await bob.post('/wp-login.php').type('form').send({ log: 'admin', pwd: ADMIN_PASSWORD, redirect_to: '/wp-admin/network/' });
    expect(admin.status).to.equal(303);
    expect((await bob.get('/wp-admin/network/')).status, 'now the super admin').to.equal(200);
    expect(logout).to.match(/^\/wp-login\.php\?action=logout&_wpnonce=/);
  });

  it('counts failed logins per account (login and email are one) and per address: the real user logs in from another address', async () => {
    hp = await makeApp({ loginAttempts: { perIp: 20, perAccount: 5, windowMs: 15 * 60 * 1000 } });
    const base = await hp.start();
    // Three guesses as the login and two as the email, from one address: the account's five.
    for (let i = 0; i < 3; i++) expect(await loginFrom(base, '127.0.0.2', 'admin', `wrong ${i}`)).to.equal(200);
    for (let i = 0; i < 2; i++) expect(await loginFrom(base, '127.0.0.2', 'ADMIN@localhost.localdomain', `wrong ${i}`)).to.equal(200);
    expect(await loginFrom(base, '127.0.0.2', 'admin', 'wrong again'), 'that address is locked out of this account').to.equal(429);
    expect(await loginFrom(base, '127.0.0.2', 'admin@localhost.localdomain', ADMIN_PASSWORD), 'even with the right password, from there').to.equal(429);
    // The real user, from another address, with the right password.
    expect(await loginFrom(base, '127.0.0.3', 'admin', ADMIN_PASSWORD)).to.equal(303);
    expect(await loginFrom(base, '127.0.0.3', 'admin@localhost.localdomain', ADMIN_PASSWORD)).to.equal(303);
  });
});
