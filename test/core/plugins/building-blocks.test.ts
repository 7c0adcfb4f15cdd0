import { expect } from 'chai';
import { FIXTURE_PLUGINS } from '../../helpers/app.js';
import { createTestHost, type TestHost } from '../../../core/plugin-testkit.js';

describe('core/plugins: WordPress building blocks (settings, transients, i18n, capabilities)', () => {
  let host: TestHost;
  afterEach(() => host?.close());

  it('site transients expire with the clock and are deleted when read expired', async () => {
    host = await createTestHost({ plugins: ['blocks-demo'], pluginsDir: FIXTURE_PLUGINS });
    const { options } = host.api('blocks-demo');
    expect(options.get_site_transient('feed')).to.equal(false);
    expect(options.set_site_transient('feed', { items: 3 }, 60)).to.equal(true);
    expect(options.get_site_transient('feed')).to.deep.equal({ items: 3 });
    host.clock.advance(59_000);
    expect(options.get_site_transient('feed')).to.deep.equal({ items: 3 });
    host.clock.advance(2_000);
    expect(options.get_site_transient('feed')).to.equal(false);
    expect(options.get_site_option('_site_transient_feed'), 'deleted when read expired').to.equal(false);
    options.set_site_transient('forever', 1);
    host.clock.advance(10 * 365 * 86_400_000);
    expect(options.get_site_transient('forever')).to.equal(1);
    expect(options.delete_site_transient('forever')).to.equal(true);
    expect(options.set_site_transient('x'.repeat(168), 1)).to.equal(false);
  });

  it('Settings API: sections and labelled fields render, the save checks the nonce, sanitizes and stores', async () => {
    host = await createTestHost({ plugins: ['blocks-demo'], pluginsDir: FIXTURE_PLUGINS });
    const admin = await host.login();
    const page = await admin.page(host.pageUrl('blocks-demo'));
    expect(page.text).to.include('<h2>Greeting</h2>').and.include('<label for="blocks_demo_greeting">Greeting text</label>').and.include('value="Hello"');
    expect(page.text).to.include('name="option_page" value="blocks_demo"');
    const forged = await admin.agent.post(host.pageUrl('blocks-demo')).type('form').send({ option_page: 'blocks_demo', action: 'update', blocks_demo_greeting: 'x' });
    expect(forged.status).to.equal(403);
    const res = await admin.submit(host.pageUrl('blocks-demo'), { option_page: 'blocks_demo', action: 'update', blocks_demo_greeting: '  Hi <b>there</b>\n ', blocks_demo_loud: '1' });
    expect(res.status).to.equal(303);
    expect((await admin.follow(res)).text).to.include('Settings saved.');
    const api = host.api('blocks-demo');
    expect(api.options.get_site_option('blocks_demo_greeting')).to.equal('Hi there');
    expect(api.options.get_site_option('blocks_demo_loud')).to.equal(true);
    // An unticked checkbox is absent from the form: false.
    await admin.submit(host.pageUrl('blocks-demo'), { option_page: 'blocks_demo', action: 'update', blocks_demo_greeting: 'Yo' });
    expect(api.options.get_site_option('blocks_demo_loud')).to.equal(false);
  });

  it('translations load from the plugin’s languages/ folder for the network locale (WPLANG)', async () => {
    host = await createTestHost({ plugins: ['blocks-demo'], pluginsDir: FIXTURE_PLUGINS });
    const api = host.api('blocks-demo');
    expect(api.i18n.__('Greetings')).to.equal('Greetings');
    api.options.update_site_option('WPLANG', 'de_DE');
    expect(api.i18n.load_plugin_textdomain()).to.equal(true);
    expect(api.i18n.get_locale()).to.equal('de_DE');
    expect(api.i18n.__('Greetings')).to.equal('Grüße');
    expect(api.i18n._e('Greeting text')).to.equal('Grußtext');
    expect(api.i18n._x('Greet', 'verb')).to.equal('Grüßen');
    expect(api.i18n.sprintf(api.i18n._n('%d greeting sent', '%d greetings sent', 1), 1)).to.equal('1 Gruß gesendet');
    expect(api.i18n.sprintf(api.i18n._n('%d greeting sent', '%d greetings sent', 3), 3)).to.equal('3 Grüße gesendet');
    expect(api.i18n.__('Untranslated')).to.equal('Untranslated');
    expect(api.i18n.__('Greetings', 'another-domain')).to.equal('Greetings');
    expect(api.i18n.esc_html__('<b>')).to.equal('&lt;b&gt;');
    // A reload (e.g. after activation) picks the locale up just in time.
    await host.hp.plugins.deactivate('blocks-demo');
    await host.hp.plugins.activate('blocks-demo');
    const admin = await host.login();
    expect((await admin.page(host.pageUrl('blocks-demo'))).text).to.include('<h1>Grüße</h1>').and.include('2 Grüße gesendet');
  });

  it('custom capabilities: super admins have them, other users once granted; menus use them', async () => {
    host = await createTestHost({ plugins: ['blocks-demo'], pluginsDir: FIXTURE_PLUGINS });
    const api = host.api('blocks-demo');
    const { user } = await host.hp.host.users.create({ login: 'editor', email: 'editor@example.com', password: 'editor password 1' });
    expect(api.users.user_can(1, 'manage_greetings'), 'super admin').to.equal(true);
    expect(api.users.user_can(user.id, 'manage_greetings')).to.equal(false);
    const editor = await host.login('editor', 'editor password 1');
    expect((await editor.agent.get(host.pageUrl('blocks-demo'))).status).to.equal(403);
    api.users.add_cap(user.id, 'manage_greetings');
    expect(api.users.user_can(user.id, 'manage_greetings')).to.equal(true);
    expect((await editor.agent.get(host.pageUrl('blocks-demo'))).status).to.equal(200);
    expect(() => api.users.add_cap(user.id, 'undeclared_cap')).to.throw('Declare the capability "undeclared_cap"');
    api.users.remove_cap(user.id, 'manage_greetings');
    expect(api.users.user_can(user.id, 'manage_greetings')).to.equal(false);
    expect(() => api.users.register_capability('Bad Cap', 'x')).to.throw('A capability is 3–64 lowercase');
  });
});
