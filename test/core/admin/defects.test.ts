import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import type { WebhooksApi } from '../../../core/plugin-sdk.js';
import { loginAgent, makeApp, nonceIn, type Agent } from '../../helpers/app.js';
import { PLUGINS_DIR } from '../../helpers/webhooks.js';

// Defects found by clicking through the core screens (issue #10, item 4). Each test failed
// before its fix; the clicked versions are in test/e2e/defects.e2e.test.ts.
describe('core admin: defects found while clicking through', () => {
  let hp: HookpressApp;
  let agent: Agent;
  beforeEach(async () => {
    hp = await makeApp({ pluginsDir: PLUGINS_DIR, pluginSlugs: ['webhooks', 'memberships'], plugins: { webhooks: { autoStart: false } } });
    agent = await loginAgent(hp);
  });
  afterEach(() => hp.close());

  const addUser = async (fields: Record<string, string>) => {
    const form = await agent.get('/wp-admin/network/user-new.php');
    return agent.post('/wp-admin/network/user-new.php').type('form').send({ _wpnonce: nonceIn(form.text), ...fields });
  };
  const addSite = async (fields: Record<string, string>) => {
    const form = await agent.get('/wp-admin/network/site-new.php');
    return agent.post('/wp-admin/network/site-new.php').type('form').send({ _wpnonce: nonceIn(form.text), ...fields });
  };

  it('a password of 8 spaces is refused', async () => {
    const res = await addUser({ user_login: 'ada', email: 'ada@example.com', display_name: '', pass1: '        ' });
    expect(res.status).to.equal(422);
    expect(res.text).to.include('id="pass1-error"');
    expect(await hp.host.users.find('ada')).to.equal(undefined);
    try {
      await hp.host.users.create({ login: 'bob', email: 'bob@example.com', password: ' '.repeat(12) });
      expect.fail('created');
    } catch (error) {
      expect((error as { code?: string }).code).to.equal('USER_WEAK_PASSWORD');
    }
  });

  it('Add New User with everything empty shows an error next to every required field', async () => {
    const res = await addUser({ user_login: '', email: '', display_name: '', pass1: '' });
    expect(res.status).to.equal(422);
    expect(res.text).to.include('id="user_login-error"').and.include('Enter a username.');
    expect(res.text).to.include('id="email-error"').and.include('Enter an email address.');
  });

  it('Add New Site with everything empty shows every error; an empty slug is "enter", a 64-character one "too long"', async () => {
    const empty = await addSite({ slug: '', title: '', admin_email: '' });
    expect(empty.status).to.equal(422);
    expect(empty.text).to.include('id="slug-error"').and.include('Enter a site address.');
    expect(empty.text).to.not.include('can only contain lowercase');
    expect(empty.text).to.include('id="title-error"').and.include('id="admin_email-error"');
    const long = await addSite({ slug: 'a'.repeat(64), title: 'Long', admin_email: 'a@example.com' });
    expect(long.status).to.equal(422);
    expect(long.text).to.include('at most 63 characters').and.include(`value="${'a'.repeat(64)}"`);
    expect((await addSite({ slug: 'a'.repeat(63), title: 'Long', admin_email: 'a@example.com' })).status).to.equal(303);
  });

  it('&paged=999 says this page is empty and links to the last page, not the first-run empty state', async () => {
    const engine = hp.host.services.get('webhooks')!.service as WebhooksApi;
    for (let i = 0; i < 21; i++) await engine.async.create_webhook({ name: `Hook ${i}`, url: 'https://example.com/hook', event: 'payment_received' });
    const res = await agent.get('/wp-admin/network/admin.php?page=webhooks&paged=999');
    expect(res.text).to.not.include('No webhooks yet');
    expect(res.text).to.include('No items on page 999').and.include('paged=2');
    const sites = await agent.get('/wp-admin/network/sites.php?paged=5');
    expect(sites.text).to.not.include('No sites found');
    expect(sites.text).to.include('No items on page 5');
  });

  it('the main site’s delete confirmation is refused up front', async () => {
    const res = await agent.get('/wp-admin/network/sites.php?action=confirm-delete&id=1');
    expect(res.status).to.equal(403);
    expect(res.text).to.include('main site');
    expect(res.text).to.not.include('Yes, delete this site');
  });

  it('a form larger than the limit gets a page that names the limit and how to keep the typed input', async () => {
    const form = await agent.get('/wp-admin/network/site-new.php');
    const res = await agent
      .post('/wp-admin/network/site-new.php')
      .set('Referer', `http://127.0.0.1/wp-admin/network/site-new.php`)
      .type('form')
      .send({ _wpnonce: nonceIn(form.text), slug: 'big', title: 'x'.repeat(1_200_000), admin_email: 'a@example.com' });
    expect(res.status).to.equal(413);
    expect(res.text).to.not.include('could not be understood');
    expect(res.text).to.include('1 MB').and.include('Nothing was saved').and.include('Back');
    expect(res.text).to.include('href="/wp-admin/network/site-new.php"');
  });
});
