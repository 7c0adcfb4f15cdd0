import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { loginAgent, makeApp, nonceIn, nonceNear, type Agent } from '../../helpers/app.js';

// Actions that cannot be undone ask first, without JavaScript: the first POST renders a
// confirmation page (confirmed=1 posts again); nothing changes until then.
describe('admin: confirmations before actions that cannot be undone', () => {
  let hp: HookpressApp;
  let agent: Agent;
  beforeEach(async () => {
    hp = await makeApp();
    agent = await loginAgent(hp);
  });
  afterEach(() => hp.close());

  it('Regenerate API Key and Secret asks first; the key changes only when confirmed', async () => {
    const before = hp.host.apiKey.get().key;
    const screen = await agent.get('/wp-admin/network/settings-api.php');
    const nonce = nonceNear(screen.text, 'value="regenerate"');
    const ask = await agent.post('/wp-admin/network/settings-api.php').type('form').send({ _wpnonce: nonce, action: 'regenerate' });
    expect(ask.status).to.equal(200);
    expect(ask.text).to.include('stops working at once').and.include('Yes, Regenerate');
    expect(ask.text).to.match(/<a class="button" href="\/wp-admin\/network\/settings-api\.php">Cancel<\/a>/);
    expect(hp.host.apiKey.get().key).to.equal(before);
    const done = await agent.post('/wp-admin/network/settings-api.php').type('form').send({ _wpnonce: nonceIn(ask.text), action: 'regenerate', confirmed: '1' });
    expect(done.status).to.equal(303);
    expect(hp.host.apiKey.get().key).to.not.equal(before);
  });

  it('Revoke (application password) asks first, naming it; revoked only when confirmed', async () => {
    const { item } = await hp.host.appPasswords.createAsync(1, 'Zapier <b>prod</b>');
    const screen = await agent.get('/wp-admin/network/profile.php');
    const nonce = nonceNear(screen.text, `value="${item.uuid}"`);
    const ask = await agent.post('/wp-admin/network/profile.php').type('form').send({ _wpnonce: nonce, action: 'revoke-application-password', uuid: item.uuid });
    expect(ask.status).to.equal(200);
    expect(ask.text).to.include('Zapier &lt;b&gt;prod&lt;/b&gt;').and.include('never used').and.include('Yes, Revoke');
    expect(await hp.host.appPasswords.listAsync(1)).to.have.length(1);
    await agent.post('/wp-admin/network/profile.php').type('form').send({ _wpnonce: nonceIn(ask.text), action: 'revoke-application-password', uuid: item.uuid, confirmed: '1' });
    expect(await hp.host.appPasswords.listAsync(1)).to.have.length(0);
  });

  it('a revoke of a password that is gone says so instead of asking', async () => {
    const { item } = await hp.host.appPasswords.createAsync(1, 'Gone');
    const screen = await agent.get('/wp-admin/network/profile.php');
    const nonce = nonceNear(screen.text, `value="${item.uuid}"`);
    await hp.host.appPasswords.deleteAsync(1, item.uuid);
    const res = await agent.post('/wp-admin/network/profile.php').type('form').send({ _wpnonce: nonce, action: 'revoke-application-password', uuid: item.uuid });
    expect(res.status).to.equal(303);
    const page = await agent.get('/wp-admin/network/profile.php');
    expect(page.text).to.include('does not exist');
  });
});
