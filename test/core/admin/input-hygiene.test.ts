import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { formField, TEXT_LIMITS } from '../../../core/admin/form.js';
import type { MembershipsService } from '../../../plugins/memberships/service.js';
import type { WebhooksApi } from '../../../core/plugin-sdk.js';
import { loginAgent, makeApp, nonceIn, nonceNear, type Agent } from '../../helpers/app.js';
import { PLUGINS_DIR } from '../../helpers/webhooks.js';

const LONG = 'x'.repeat(10_000);

describe('input hygiene in one place: declared maximum lengths, no control characters', () => {
  let hp: HookpressApp;
  let agent: Agent;
  beforeEach(async () => {
    hp = await makeApp({ pluginsDir: PLUGINS_DIR, pluginSlugs: ['webhooks', 'memberships'], plugins: { webhooks: { autoStart: false } } });
    agent = await loginAgent(hp);
  });
  afterEach(() => hp.close());

  const submit = async (url: string, marker: string | null, body: Record<string, string>) => {
    const form = await agent.get(url);
    const nonce = marker ? nonceNear(form.text, marker) : nonceIn(form.text);
    return agent.post(url).type('form').send({ _wpnonce: nonce, ...body });
  };

  it('a 10,000-character display name, product name or admin email is a validation error on its field; nothing is saved', async () => {
    const user = await submit('/wp-admin/network/user-new.php', null, { user_login: 'longname', email: 'long@example.com', display_name: LONG, pass1: 'password 123' });
    expect(user.status).to.equal(422);
    expect(user.text).to.include(`The display name can have at most ${TEXT_LIMITS.display_name} characters; this one has 10000.`);
    expect(await hp.host.users.find('longname')).to.equal(undefined);
    expect(user.text).to.include(`maxlength="${TEXT_LIMITS.display_name}"`);

    const product = await submit('/wp-admin/network/admin.php?page=memberships-products', 'value="create"', { action: 'create', name: LONG, price: '29', setup_fee: '0', currency: 'USD', period: 'month' });
    expect(product.text).to.include(`A product name can have at most ${TEXT_LIMITS.name} characters`);
    const mb = hp.host.services.get('memberships')!.service as MembershipsService;
    expect(await mb.store.all('mb_products')).to.have.length(0);

    const settings = await submit('/wp-admin/network/settings.php', null, { site_name: 'Fine', admin_email: `${'a'.repeat(100_000)}@example.com` });
    expect(settings.text).to.include(`An email address can have at most ${TEXT_LIMITS.email} characters`);
    expect(hp.host.options.get_site_option('admin_email')).not.to.include('aaaa');
  });

  it('a webhook name, webhook URL or network title that is too long says how long the typed one is', async () => {
    const add = await agent.get('/wp-admin/network/admin.php?page=webhooks-new');
    const hook = await agent
      .post('/wp-admin/network/admin.php?page=webhooks-new')
      .type('form')
      .send({ _wpnonce: nonceNear(add.text, 'name="name"'), name: 'n'.repeat(250), url: `https://hooks.example.com/${'u'.repeat(2100)}`, event: 'payment_received', active: '1' });
    expect(hook.text).to.include('The name can have at most 200 characters; this one has 250.');
    expect(hook.text).to.include('The URL can have at most 2000 characters; this one has 2126.');
    const settings = await submit('/wp-admin/network/settings.php', null, { site_name: 't'.repeat(300), admin_email: 'admin@example.com' });
    expect(settings.text).to.include(`The network title can have at most ${TEXT_LIMITS.title} characters; this one has 300.`);
  });

  it('NUL and control characters never reach storage from a form (stripped, as sanitize_text_field does)', async () => {
    await submit('/wp-admin/network/user-new.php', null, { user_login: 'nul', email: 'nul@example.com', display_name: 'Ada\u0000 Love\u0007lace', pass1: 'password 123' });
    expect((await hp.host.users.find('nul'))!.display_name).to.equal('Ada Lovelace');
    await submit('/wp-admin/network/site-new.php', null, { slug: 'nulsite', title: 'Evil\u0000Site\u001b', admin_email: 'site@example.com' });
    expect((await hp.host.sites.listAsync({ search: 'nulsite', limit: 5, offset: 0, orderby: 'id', order: 'asc' })).items[0]!.title).to.equal('EvilSite');
    await submit('/wp-admin/network/settings.php', null, { site_name: 'Net\u0000work', admin_email: 'admin@example.com' });
    expect(hp.host.options.get_site_option('site_name')).to.equal('Network');
    await submit('/wp-admin/network/admin.php?page=memberships-products', 'value="create"', { action: 'create', name: 'Pro\u0000 Plan', price: '29', setup_fee: '0', currency: 'USD', period: 'month' });
    const mb = hp.host.services.get('memberships')!.service as MembershipsService;
    expect((await mb.store.all<{ name: string }>('mb_products'))[0]!.name).to.equal('Pro Plan');
    const add = await agent.get('/wp-admin/network/admin.php?page=webhooks-new');
    await agent.post('/wp-admin/network/admin.php?page=webhooks-new').type('form').send({ _wpnonce: nonceNear(add.text, 'name="name"'), name: 'Hook\u0000Name', url: 'https://hooks.example.com/hook', event: 'payment_received', active: '1' });
    const webhooks = hp.host.services.get('webhooks')!.service as WebhooksApi;
    expect((await webhooks.async.list_webhooks({})).items.map((w) => w.name)).to.include('HookName');
  });

  it('formField renders the declared maximum length', () => {
    expect(formField({ id: 'n', label: 'Name', maxLength: 200 }).value).to.include('maxlength="200"');
  });
});
