import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { loginAgent, makeApp, nonceIn, type Agent } from '../../helpers/app.js';

// WordPress's wp_nonce_ays(): a failed nonce check is not a dead end — the 403 page offers
// "Please try again." back to the screen the form came from (its _wp_http_referer field).
describe('nonce failure page', () => {
  let hp: HookpressApp;
  let agent: Agent;
  beforeEach(async () => {
    hp = await makeApp();
    agent = await loginAgent(hp);
  });
  afterEach(() => hp.close());

  /** The hidden fields the settings form renders, as a browser would submit them. */
  async function settingsForm(): Promise<Record<string, string>> {
    const page = await agent.get('/wp-admin/network/settings.php?tab=general');
    const fields: Record<string, string> = {};
    for (const m of page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]!] = m[2]!.replace(/&amp;/g, '&');
    expect(nonceIn(page.text)).to.be.a('string');
    return fields;
  }

  it('offers "Please try again." back to the form the stale nonce came from', async () => {
    const fields = await settingsForm();
    expect(fields._wp_http_referer).to.equal('/wp-admin/network/settings.php?tab=general');
    const res = await agent.post('/wp-admin/network/settings.php').type('form')
      .send({ ...fields, _wpnonce: 'stale0000', site_name: 'Changed' });
    expect(res.status).to.equal(403);
    expect(res.text).to.include('The link you followed has expired.');
    expect(res.text).to.match(/<a[^>]+href="\/wp-admin\/network\/settings\.php\?tab=general"[^>]*>Please try again\.<\/a>/);
  });

  it('never sends the user off the network admin: a foreign referer falls back to the dashboard', async () => {
    const fields = await settingsForm();
    const res = await agent.post('/wp-admin/network/settings.php').type('form')
      .send({ ...fields, _wpnonce: 'stale0000', _wp_http_referer: 'https://evil.example/phish' });
    expect(res.status).to.equal(403);
    expect(res.text).to.not.include('evil.example');
    expect(res.text).to.match(/<a[^>]+href="\/wp-admin\/network\/"[^>]*>Please try again\.<\/a>/);
  });
});
