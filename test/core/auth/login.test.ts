import { expect } from 'chai';
import request from 'supertest';
import type { HookpressApp } from '../../../core/app.js';
import { ADMIN_PASSWORD, loginAgent, makeApp } from '../../helpers/app.js';

describe('core/auth login and sessions', () => {
  let hp: HookpressApp;
  beforeEach(async () => {
    hp = await makeApp({ loginAttempts: { perIp: 8, perAccount: 3, windowMs: 15 * 60 * 1000 } });
  });
  afterEach(() => hp.close());

  it('redirects an anonymous admin request to the login page with redirect_to', async () => {
    const res = await request(hp.app).get('/wp-admin/network/users.php?s=x');
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.equal('/wp-login.php?redirect_to=%2Fwp-admin%2Fnetwork%2Fusers.php%3Fs%3Dx');
  });

  it('serves the login form with the WordPress field names and real labels', async () => {
    const res = await request(hp.app).get('/wp-login.php?redirect_to=%2Fwp-admin%2Fnetwork%2Fsettings.php');
    expect(res.status).to.equal(200);
    for (const name of ['log', 'pwd', 'rememberme', 'redirect_to']) expect(res.text).to.include(`name="${name}"`);
    expect(res.text).to.include('<label for="user_login">').and.include('<label for="user_pass">');
    expect(res.text).to.include('value="/wp-admin/network/settings.php"');
  });

  it('logs in and follows redirect_to', async () => {
    const agent = request.agent(hp.app);
    const res = await agent
      .post('/wp-login.php')
      .type('form')
      .send({ log: 'admin', pwd: ADMIN_PASSWORD, redirect_to: '/wp-admin/network/settings.php' });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/wp-admin/network/settings.php');
    const page = await agent.get('/wp-admin/network/settings.php');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Network Settings');
  });

  it('refuses to redirect outside the host after login', async () => {
    for (const target of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const res = await request(hp.app).post('/wp-login.php').type('form').send({ log: 'admin', pwd: ADMIN_PASSWORD, redirect_to: target });
      expect(res.headers.location).to.equal('/wp-admin/network/');
    }
  });

  it('answers one generic error for an unknown user and for a wrong password', async () => {
    const a = await request(hp.app).post('/wp-login.php').type('form').send({ log: 'nobody', pwd: 'whatever' });
    const b = await request(hp.app).post('/wp-login.php').type('form').send({ log: 'admin', pwd: 'wrong password' });
    for (const res of [a, b]) {
      expect(res.status).to.equal(200);
      expect(res.text).to.include('Unknown username or incorrect password.');
    }
  });

  it('sets an HttpOnly SameSite=Lax cookie and regenerates the session id at login', async () => {
    const agent = request.agent(hp.app);
    const before = await agent.post('/wp-login.php').type('form').send({ log: 'admin', pwd: 'wrong' });
    void before;
    const res = await agent.post('/wp-login.php').type('form').send({ log: 'admin', pwd: ADMIN_PASSWORD });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).to.match(/hookpress_session=/).and.match(/HttpOnly/i).and.match(/SameSite=Lax/i);
    expect(cookie).not.to.match(/Secure/);
    // Session fixation: a session id planted before login is not the one that is logged in.
    const planted = 's%3Aplanted.invalid';
    const fixed = request.agent(hp.app);
    const login = await fixed.post('/wp-login.php').set('Cookie', `hookpress_session=${planted}`).type('form').send({ log: 'admin', pwd: ADMIN_PASSWORD });
    expect(String(login.headers['set-cookie'])).not.to.include(planted);
  });

  it('keeps the logged-in session in the database across requests', async () => {
    const agent = await loginAgent(hp);
    expect(await hp.query.db.selectFrom('sessions').select('sid').execute()).to.have.length(1);
    expect((await agent.get('/wp-admin/network/')).status).to.equal(200);
  });

  it('remember me makes a persistent cookie; without it the cookie ends with the browser', async () => {
    const a = await request(hp.app).post('/wp-login.php').type('form').send({ log: 'admin', pwd: ADMIN_PASSWORD, rememberme: 'forever' });
    expect(String(a.headers['set-cookie'])).to.match(/Expires=/);
    const b = await request(hp.app).post('/wp-login.php').type('form').send({ log: 'admin', pwd: ADMIN_PASSWORD });
    expect(String(b.headers['set-cookie'])).not.to.match(/Expires=/);
  });

  it('logs out only through the nonce’d link', async () => {
    const agent = await loginAgent(hp);
    const dash = await agent.get('/wp-admin/network/');
    const link = /href="(\/wp-login\.php\?action=logout&amp;_wpnonce=[^"]+)"/.exec(dash.text)![1]!.replace('&amp;', '&');
    const forged = await agent.get('/wp-login.php?action=logout&_wpnonce=0123456789');
    expect(forged.status).to.equal(403);
    expect(forged.text).to.include('The link you followed has expired.');
    const out = await agent.get(link);
    expect(out.status).to.equal(303);
    expect((await agent.get('/wp-admin/network/')).status).to.equal(302);
  });

  it('throttles failed logins per account with a clear message, without locking other accounts', async () => {
    await hp.host.users.create({ login: 'bob', email: 'bob@example.com', password: 'bob password 1' });
    for (let i = 0; i < 3; i++) await request(hp.app).post('/wp-login.php').type('form').send({ log: 'admin', pwd: 'bad' });
    const blocked = await request(hp.app).post('/wp-login.php').type('form').send({ log: 'admin', pwd: ADMIN_PASSWORD });
    expect(blocked.status).to.equal(429);
    expect(blocked.text).to.include('Too many failed login attempts');
    const bob = await request(hp.app).post('/wp-login.php').type('form').send({ log: 'bob', pwd: 'bob password 1' });
    expect(bob.status).to.equal(303);
  });

  it('throttles failed logins per IP across accounts', async () => {
    for (let i = 0; i < 8; i++) await request(hp.app).post('/wp-login.php').type('form').send({ log: `user${i}`, pwd: 'bad' });
    const res = await request(hp.app).post('/wp-login.php').type('form').send({ log: 'admin', pwd: ADMIN_PASSWORD });
    expect(res.status).to.equal(429);
  });

  it('gives a logged-in user without network capabilities a 403', async () => {
    await hp.host.users.create({ login: 'carol', email: 'carol@example.com', password: 'carol password' });
    const agent = await loginAgent(hp, 'carol', 'carol password');
    const res = await agent.get('/wp-admin/network/');
    expect(res.status).to.equal(403);
    expect(res.text).to.include('Sorry, you are not allowed to access this page.');
    expect(res.text).not.to.match(/at .*\.ts:\d+/);
  });
});
