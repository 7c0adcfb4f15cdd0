import { expect } from 'chai';
import request from 'supertest';
import { loginAgent, makeApp } from '../../helpers/app.js';

describe('core/http/nocache: private pages are never cached (WordPress nocache_headers())', () => {
  it('sends the no-cache headers on the login screen and on admin pages, not on public assets', async () => {
    const hp = await makeApp({ pluginSlugs: [] });
    try {
      const login = await request(hp.app).get('/wp-login.php');
      expect(login.headers['cache-control']).to.equal('no-cache, must-revalidate, max-age=0, no-store, private');
      expect(login.headers.expires).to.equal('Wed, 11 Jan 1984 05:00:00 GMT');
      const agent = await loginAgent(hp);
      const admin = await agent.get('/wp-admin/network/');
      expect(admin.status).to.equal(200);
      expect(admin.headers['cache-control']).to.include('no-store').and.include('private');
      // A redirect away from the admin (not logged in) is not cached either.
      const anonymous = await request(hp.app).get('/wp-admin/network/users.php');
      expect(anonymous.headers['cache-control']).to.include('no-store');
      const asset = await request(hp.app).get('/favicon.ico');
      expect(asset.headers['cache-control'] ?? '').not.to.include('no-store');
    } finally {
      await hp.close();
    }
  });
});
