import { expect } from 'chai';
import request from 'supertest';
import type dns from 'node:dns';
import { probeDestination } from '../../../plugins/webhooks/delivery/destination-probe.js';
import { blockReason, parseAllowList, type LookupFn } from '../../../plugins/webhooks/delivery/ssrf-guard.js';
import type { DestinationPolicy } from '../../../plugins/webhooks/delivery/transport.js';
import { offlineLookup } from '../../../core/plugin-testkit.js';
import { loginAgent, nonceIn } from '../../helpers/app.js';
import { OpenApiChecker, restClient } from '../../helpers/rest.js';
import { makeWebhooksApp, storedApiKeyAuth, type WebhooksApp } from '../../helpers/webhooks.js';

/** A resolver that knows only these names; nothing here ever asks a real one. */
const fakeDns =
  (answers: Record<string, string[] | NodeJS.ErrnoException>): LookupFn =>
  (hostname, _options, callback) => {
    const answer = answers[hostname];
    if (answer === undefined) return queueMicrotask(() => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []));
    if (answer instanceof Error) return queueMicrotask(() => callback(answer, []));
    queueMicrotask(() => callback(null, answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))));
  };

const DNS = fakeDns({
  'intranet.test': ['10.1.2.3'],
  'metadata.test': ['169.254.169.254'],
  'mixed.test': ['93.184.216.34', 'fd00::7'],
  'public.test': ['93.184.216.34'],
  'allowed.test': ['192.168.5.9'],
  'flaky.test': Object.assign(new Error('getaddrinfo EAI_AGAIN flaky.test'), { code: 'EAI_AGAIN' }),
});
const policy = (allow = ''): DestinationPolicy => ({
  exempt: (url) => url.pathname.startsWith('/webhook-inspector/'),
  blockReason: (address) => blockReason(address, parseAllowList(allow)),
});

describe('webhooks: the save-time destination check (probeDestination)', () => {
  it('warns when a host name resolves to a refused address, naming the host, the address and the reason', async () => {
    const warning = await probeDestination('https://intranet.test/hook', { policy: policy(), lookup: DNS });
    expect(warning).to.deep.include({ code: 'destination_blocked', host: 'intranet.test', address: '10.1.2.3', reason: 'a private address' });
    expect(warning!.message).to.include('intranet.test resolves to 10.1.2.3, which is a private address').and.include('WEBHOOKS_ALLOW_NETWORKS');
    expect((await probeDestination('http://metadata.test/', { policy: policy(), lookup: DNS }))!.reason).to.include('link-local');
  });

  it('warns when any one address of the answer is refused, as the connect-time guard refuses it', async () => {
    expect(await probeDestination('https://mixed.test/', { policy: policy(), lookup: DNS })).to.deep.include({ address: 'fd00::7', code: 'destination_blocked' });
  });

  it('is silent for a public answer, an allowlisted range and an exempt (inspector) URL', async () => {
    expect(await probeDestination('https://public.test/hook', { policy: policy(), lookup: DNS })).to.equal(undefined);
    expect(await probeDestination('https://allowed.test/hook', { policy: policy('192.168.0.0/16'), lookup: DNS })).to.equal(undefined);
    expect(await probeDestination('https://intranet.test/webhook-inspector/abc', { policy: policy(), lookup: DNS })).to.equal(undefined);
  });

  it('judges an IP literal without a lookup (entry points refuse those before saving: literalDestinationRefusal)', async () => {
    const never: LookupFn = () => expect.fail('an IP literal is not looked up');
    expect(await probeDestination('http://[fd00::1]/x', { policy: policy(), lookup: never })).to.deep.include({ host: 'fd00::1', address: 'fd00::1', code: 'destination_blocked' });
    expect((await probeDestination('http://10.0.0.1/x', { policy: policy(), lookup: never }))!.message).to.include('10.0.0.1 is a private address');
  });

  it('a name that does not exist gets its own mild warning; a resolver that fails or does not answer gets none', async () => {
    expect(await probeDestination('https://typo.test/hook', { policy: policy(), lookup: DNS })).to.deep.include({ code: 'destination_not_found', host: 'typo.test' });
    expect(await probeDestination('https://flaky.test/hook', { policy: policy(), lookup: DNS })).to.equal(undefined);
    const silent: LookupFn = () => undefined; // never calls back
    expect(await probeDestination('https://slow.test/hook', { policy: policy(), lookup: silent, timeoutMs: 5 })).to.equal(undefined);
    const throwing: LookupFn = () => {
      throw new Error('resolver bug');
    };
    expect(await probeDestination('https://bug.test/hook', { policy: policy(), lookup: throwing })).to.equal(undefined);
    expect(await probeDestination('not a url', { policy: policy(), lookup: DNS })).to.equal(undefined);
  });

  it('test hosts resolve only localhost (offlineLookup): other names fail like an unreachable resolver', async () => {
    const ask = (name: string) => new Promise<{ err: NodeJS.ErrnoException | null; addresses: dns.LookupAddress[] }>((r) => offlineLookup(name, { all: true }, (err, addresses) => r({ err, addresses })));
    expect((await ask('localhost')).addresses).to.deep.equal([{ address: '127.0.0.1', family: 4 }]);
    expect((await ask('api.localhost.')).addresses).to.deep.equal([{ address: '127.0.0.1', family: 4 }]);
    expect((await ask('example.com')).err?.code).to.equal('EAI_AGAIN');
    expect(await probeDestination('https://example.com/hook', { policy: policy(), lookup: offlineLookup })).to.equal(undefined);
  });
});

describe('webhooks: a saved URL whose host resolves to a refused range gets a warning (admin form and REST)', () => {
  let w: WebhooksApp;
  const page = (slug: string, params = '') => `/wp-admin/network/admin.php?page=${slug}${params}`;
  beforeEach(async () => {
    w = await makeWebhooksApp({ lookup: DNS });
  });
  afterEach(async () => {
    await w.hp.close();
  });

  it('Add New Webhook saves it and shows a warning notice naming the host, the address and the reason', async () => {
    const agent = await loginAgent(w.hp);
    const form = await agent.get(page('webhooks-new'));
    const res = await agent.post(page('webhooks-new')).type('form').send({ _wpnonce: nonceIn(form.text), name: 'Intranet', url: 'https://intranet.test/hook', event: 'payment_received' });
    expect(res.status).to.equal(303);
    const saved = (await w.api.async.list_webhooks({})).items[0]!;
    expect(saved).to.include({ name: 'Intranet', url: 'https://intranet.test/hook', active: true });
    const edit = await agent.get(res.headers.location!);
    expect(edit.text).to.match(/notice-warning[^>]*>\s*<p>The webhook was saved, but intranet\.test resolves to 10\.1\.2\.3, which is a private address/);
    expect(edit.text).to.include('Webhook “Intranet” added.');
  });

  it('Save Changes on the edit screen warns too; a public host gets no warning', async () => {
    const agent = await loginAgent(w.hp);
    const hook = await w.api.async.create_webhook({ name: 'Hook', url: 'https://public.test/a', event: 'payment_received' });
    const save = async (url: string) => {
      const form = await agent.get(page('webhooks-edit', `&id=${hook.id}`));
      const res = await agent.post(page('webhooks-edit', `&id=${hook.id}`)).type('form').send({ _wpnonce: nonceIn(form.text), action: 'save', name: 'Hook', url, event: 'payment_received', active: '1' });
      expect(res.status).to.equal(303);
      return (await agent.get(res.headers.location!)).text;
    };
    const warned = await save('http://metadata.test/latest');
    expect(warned).to.include('Webhook updated.').and.include('metadata.test resolves to 169.254.169.254');
    expect((await w.api.async.get_webhook(hook.id)).url).to.equal('http://metadata.test/latest');
    expect(await save('https://public.test/b')).to.include('Webhook updated.').and.not.include('notice-warning');
  });

  it('REST create and update answer `warnings`, documented in the OpenAPI document', async () => {
    const doc = (await request(w.hp.app).get('/wp-json/wu/v2/openapi.json')).body;
    const call = restClient(w.hp, new OpenApiChecker(doc), await storedApiKeyAuth(w.hp));
    const created = await call('POST', '/wp-json/wu/v2/webhook', { name: 'Zap', webhook_url: 'https://intranet.test/zap', event: 'payment_received', integration: 'zapier' });
    expect(created.status).to.equal(201);
    expect(created.body.warnings).to.deep.equal([
      {
        code: 'destination_blocked',
        host: 'intranet.test',
        address: '10.1.2.3',
        reason: 'a private address',
        message: created.body.warnings[0].message,
      },
    ]);
    expect((await w.api.async.get_webhook(created.body.id)).url).to.equal('https://intranet.test/zap');
    const patched = await call('PATCH', `/wp-json/wu/v2/webhook/${created.body.id}`, { webhook_url: 'https://public.test/zap' });
    expect(patched.status).to.equal(200);
    expect(patched.body).to.not.have.property('warnings');
    const documented = (path: string, method: string, status: string) => JSON.stringify(doc.paths[path][method].responses[status]);
    expect(documented('/webhook', 'post', '201')).to.include('"warnings"').and.include('destination_blocked');
    expect(documented('/webhook/{id}', 'patch', '200')).to.include('"warnings"');
  });

  it('REST create and update refuse an IP literal in a blocked range: 400 rest_invalid_param on webhook_url, as typed, nothing saved', async () => {
    const doc = (await request(w.hp.app).get('/wp-json/wu/v2/openapi.json')).body;
    const call = restClient(w.hp, new OpenApiChecker(doc), await storedApiKeyAuth(w.hp));
    const mapped = await call('POST', '/wp-json/wu/v2/webhook', { name: 'Zap', webhook_url: 'http://[::ffff:10.0.0.1]/zap', event: 'payment_received', integration: 'zapier' });
    expect(mapped.status).to.equal(400);
    expect(mapped.body.code).to.equal('rest_invalid_param');
    expect(Object.keys(mapped.body.data.params)).to.deep.equal(['webhook_url']);
    expect(mapped.body.data.params.webhook_url).to.include('cannot be sent to [::ffff:10.0.0.1]: it is').and.include('WEBHOOKS_ALLOW_NETWORKS').and.not.include('a00:1');
    expect((await w.api.async.list_webhooks({})).total).to.equal(0);
    const hook = await w.api.async.create_webhook({ name: 'Hook', url: 'https://public.test/a', event: 'payment_received' });
    for (const url of ['http://10.1.2.3/', 'http://[fd00::1]/zap', 'http://169.254.169.254/latest']) {
      const patched = await call('PATCH', `/wp-json/wu/v2/webhook/${hook.id}`, { webhook_url: url });
      expect([patched.status, patched.body.code], url).to.deep.equal([400, 'rest_invalid_param']);
      expect(patched.body.data.params.webhook_url, url).to.include('Webhooks cannot be sent to');
    }
    expect((await w.api.async.get_webhook(hook.id)).url).to.equal('https://public.test/a');
  });

  it('REST create answers 201 for an IP literal in an allowed network (WEBHOOKS_ALLOW_NETWORKS)', async () => {
    const call = restClient(w.hp, new OpenApiChecker((await request(w.hp.app).get('/wp-json/wu/v2/openapi.json')).body), await storedApiKeyAuth(w.hp));
    const ok = await call('POST', '/wp-json/wu/v2/webhook', { name: 'Local', webhook_url: 'http://127.0.0.1:9/in', event: 'payment_received', integration: 'manual' });
    expect(ok.status).to.equal(201);
    expect(ok.body).to.not.have.property('warnings');
  });

  it('REST names service errors on the URL with the REST field name (webhook_url), as schema errors do', async () => {
    const call = restClient(w.hp, new OpenApiChecker((await request(w.hp.app).get('/wp-json/wu/v2/openapi.json')).body), await storedApiKeyAuth(w.hp));
    const hook = await w.api.async.create_webhook({ name: 'Hook', url: 'https://public.test/a', event: 'payment_received' });
    const bad = await call('PATCH', `/wp-json/wu/v2/webhook/${hook.id}`, { webhook_url: 'ftp://public.test/a' });
    expect([bad.status, bad.body.code]).to.deep.equal([400, 'rest_invalid_param']);
    expect(Object.keys(bad.body.data.params)).to.deep.equal(['webhook_url']);
  });
});
