import { expect } from 'chai';
import request from 'supertest';
import type { HookpressApp } from '../../../core/app.js';
import { loginAgent, nonceIn, nonceNear, type Agent } from '../../helpers/app.js';
import { Receiver } from '../../helpers/receiver.js';
import { makeWebhooksApp, type WebhooksApp } from '../../helpers/webhooks.js';
import { onOneDataDir } from '../../helpers/two-hosts.js';
import { sign } from '../../../plugins/webhooks/delivery/signing.js';

const page = (slug: string, params = '') => `/wp-admin/network/admin.php?page=${slug}${params}`;

describe('plugins/webhooks request inspector', () => {
  let w: WebhooksApp;
  let hp: HookpressApp;
  let agent: Agent;
  let base: string;
  beforeEach(async () => {
    // No loopback allowlist: only the inspector's own narrow rule may let deliveries through.
    w = await makeWebhooksApp({ allowNetworks: '', inspectorMaxRequests: 3, inspectorMaxBodyBytes: 2048, inspectorRatePerMinute: 5 }, { port: 0 });
    hp = w.hp;
    base = await hp.start();
    agent = await loginAgent(hp);
  });
  afterEach(() => hp.close());

  async function createInbox(): Promise<{ token: string; url: string }> {
    const screen = await agent.get(page('webhooks-inspector'));
    const res = await agent.post(page('webhooks-inspector')).type('form').send({ _wpnonce: nonceNear(screen.text, 'value="create"'), action: 'create' });
    expect(res.status).to.equal(303);
    const token = new URL(res.headers.location!, base).searchParams.get('inbox')!;
    return { token, url: `${base}/webhook-inspector/${token}` };
  }

  it('creates an unguessable inbox URL served by the host, and stores what it receives', async () => {
    const { token, url } = await createInbox();
    expect(token).to.match(/^[A-Za-z0-9_-]{32}$/);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-custom': 'yes' }, body: '{"hello":"world"}' });
    expect(res.status).to.equal(200);
    const screen = await agent.get(page('webhooks-inspector', `&inbox=${token}`));
    expect(screen.text).to.include('&quot;hello&quot;: &quot;world&quot;').and.include('<code>x-custom</code>').and.include('not signed');
    expect(screen.text).to.include('127.0.0.1');
  });

  it('shows “signature valid” for a signed test event delivered through the SSRF guard’s inspector rule', async () => {
    const { token, url } = await createInbox();
    const hook = await w.api.async.create_webhook({ name: 'Inspect me', url, event: 'payment_received' });
    const result = await w.service.send_test_event(hook.id);
    expect(result, result.errorMessage ?? '').to.include({ ok: true, status: 200 });
    const screen = await agent.get(page('webhooks-inspector', `&inbox=${token}`));
    expect(screen.text).to.include('signature valid').and.include('Signature valid: signed with the current secret of “Inspect me”.');
    expect(screen.text).to.include('&quot;payment_id&quot;');
  });

  it('shows “signature invalid” for a tampered body and “unknown webhook-id” for one it never sent', async () => {
    const { token, url } = await createInbox();
    const hook = await w.api.async.create_webhook({ name: 'Signer', url, event: 'payment_received' });
    await w.service.send_test_event(hook.id);
    const original = (await w.service.inspector.store.requestsAsync(token))[0]!;
    const headers = JSON.parse(original.headers) as Record<string, string>;
    const forwarded = { 'content-type': 'application/json', 'webhook-id': headers['webhook-id']!, 'webhook-timestamp': headers['webhook-timestamp']!, 'webhook-signature': headers['webhook-signature']! };
    await fetch(url, { method: 'POST', headers: forwarded, body: original.body.toString('utf8').replace('2718', '9999') });
    await fetch(url, { method: 'POST', headers: { ...forwarded, 'webhook-id': 'msg_never_sent' }, body: new Uint8Array(original.body) });
    const [unknown, tampered] = (await w.service.inspector.store.requestsAsync(token));
    expect((await w.service.inspector.check(tampered!)).status).to.equal('invalid');
    expect((await w.service.inspector.check(unknown!)).status).to.equal('unknown');
    const screen = await agent.get(page('webhooks-inspector', `&inbox=${token}`));
    expect(screen.text).to.include('signature invalid').and.include('unknown webhook-id');
  });

  it('shows “timestamp stale” for a correctly signed request whose webhook-timestamp is outside the 5-minute window of its arrival (a replay)', async () => {
    const { token, url } = await createInbox();
    const hook = await w.api.async.create_webhook({ name: 'Replayed', url, event: 'payment_received' });
    await w.service.send_test_event(hook.id);
    const id = (JSON.parse((await w.service.inspector.store.requestsAsync(token))[0]!.headers) as Record<string, string>)['webhook-id']!;
    const body = '{"replayed":true}';
    const post = (ts: number) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(hook.secret, id, ts, body) }, body });
    const arrival = Math.floor(w.clock.now / 1000);
    await post(1_000_000_000); // 2001
    await post(arrival - 299); // inside the window: still valid
    const [inside, replayed] = await w.service.inspector.store.requestsAsync(token);
    const verdict = await w.service.inspector.check(replayed!);
    expect(verdict.status).to.equal('stale');
    expect(verdict.message).to.include('Signed with the current secret of “Replayed”').and.include('possible replay');
    expect((await w.service.inspector.check(inside!)).status).to.equal('valid');
    const screen = await agent.get(page('webhooks-inspector', `&inbox=${token}`));
    expect(screen.text).to.include('timestamp stale');
  });

  it('keeps a body byte for byte — invalid UTF-8 and NUL included — verifies its signature over those bytes, and serves them back raw', async () => {
    const { token, url } = await createInbox();
    const hook = await w.api.async.create_webhook({ name: 'Bytes', url, event: 'payment_received' });
    await w.service.send_test_event(hook.id);
    // A webhook-id this webhook sent, so the inspector knows whose secret checks the signature.
    const sent = JSON.parse((await w.service.inspector.store.requestsAsync(token))[0]!.headers) as Record<string, string>;
    const id = sent['webhook-id']!;
    const bytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]), Buffer.from('"}\u0000')]);
    const ts = Math.floor(w.clock.now / 1000);
    const headers = { 'content-type': 'application/octet-stream', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(hook.secret, id, ts, bytes) };
    const res = await fetch(url, { method: 'POST', headers, body: new Uint8Array(bytes) });
    expect(res.status).to.equal(200);

    const stored = (await w.service.inspector.store.requestsAsync(token))[0]!;
    expect(Buffer.isBuffer(stored.body)).to.equal(true);
    expect(stored.body.equals(bytes), `stored ${stored.body.toString('hex')}`).to.equal(true);
    expect(await w.service.inspector.check(stored)).to.include({ status: 'valid' });
    const flipped = Buffer.from(bytes);
    flipped[7] = 0xfd;
    expect(await w.service.inspector.check({ ...stored, body: flipped }), 'a byte changed').to.include({ status: 'invalid' });

    const screen = await agent.get(page('webhooks-inspector', `&inbox=${token}`));
    expect(screen.text).to.include('signature valid').and.include(`(${bytes.length} bytes; not valid UTF-8`).and.include('\u2400');
    const raw = await agent
      .get(page('webhooks-inspector', `&inbox=${token}&raw=${stored.id}`))
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(raw.status).to.equal(200);
    expect(raw.headers['content-type']).to.equal('application/octet-stream');
    expect(raw.headers['content-disposition']).to.equal(`attachment; filename="request-${stored.id}.bin"`);
    expect((raw.body as Buffer).equals(bytes), 'the raw view serves the bytes received').to.equal(true);
  });

  it('answers 404 for unknown and expired tokens', async () => {
    const { url } = await createInbox();
    expect((await fetch(`${base}/webhook-inspector/${'x'.repeat(32)}`, { method: 'POST', body: '{}' })).status).to.equal(404);
    expect((await fetch(`${base}/webhook-inspector/short`, { method: 'POST', body: '{}' })).status).to.equal(404);
    w.clock.advance(24 * 3600_000 + 1);
    expect((await fetch(url, { method: 'POST', body: '{}' })).status).to.equal(404);
  });

  it('refuses an oversize body with 413 and stores nothing', async () => {
    const { token, url } = await createInbox();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ big: 'x'.repeat(5000) }) });
    expect(res.status).to.equal(413);
    expect(await w.service.inspector.store.requestsAsync(token)).to.have.length(0);
  });

  it('keeps at most N requests per inbox and rate-limits each inbox', async () => {
    const { token, url } = await createInbox();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(url, { method: 'POST', body: JSON.stringify({ i }) })).status);
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 429]);
    const kept = (await w.service.inspector.store.requestsAsync(token)).map((r) => JSON.parse(r.body.toString('utf8')).i);
    expect(kept).to.deep.equal([4, 3, 2]);
  });

  it('the SSRF rule admits the inspector path of a live inbox on this host only, never loopback in general', async () => {
    const { token } = await createInbox();
    const admits = (u: string) => w.service.inspector.admits(new URL(u));
    expect(admits(`${base}/webhook-inspector/${token}`)).to.equal(true);
    expect(admits(`${base}/wp-login.php`)).to.equal(false);
    expect(admits(`${base}/webhook-inspector/${'y'.repeat(32)}`)).to.equal(false);
    const port = Number(new URL(base).port);
    expect(admits(`http://127.0.0.1:${port + 1}/webhook-inspector/${token}`)).to.equal(false);
    expect(admits(`http://localhost:${port}/webhook-inspector/${token}`)).to.equal(false);
    const receiver = new Receiver();
    await receiver.start();
    const other = await w.service.send_test_event({ url: `${receiver.url}/hook`, event: 'payment_received' });
    expect(other).to.include({ ok: false, errorClass: 'blocked' });
    expect(receiver.requests).to.have.length(0);
    const login = await w.service.send_test_event({ url: `${base}/wp-login.php`, event: 'payment_received' });
    expect(login).to.include({ ok: false, errorClass: 'blocked' });
    await receiver.close();
  });

  it('“Use this URL” on Add New Webhook fills the URL field with a fresh inbox, keeping the other values', async () => {
    const form = await agent.get(page('webhooks-new'));
    expect(form.text).to.include('Use this URL');
    const res = await agent.post(page('webhooks-new')).type('form').send({ _wpnonce: nonceIn(form.text), name: 'My bin', url: '', event: 'invoice_sent', use_inspector: '1' });
    expect(res.status).to.equal(200);
    const url = /id="url" name="url" value="([^"]+)"/.exec(res.text)![1]!;
    expect(url).to.match(new RegExp(`^${base}/webhook-inspector/[A-Za-z0-9_-]{32}$`));
    expect(res.text).to.include('value="My bin"').and.include('<option value="invoice_sent" selected>');
    expect((await w.api.async.list_webhooks({})).total, 'nothing saved yet').to.equal(0);
  });

  it('a GET on an inbox explains it accepts POST', async () => {
    const { url } = await createInbox();
    const res = await request(hp.app).get(new URL(url).pathname);
    expect(res.status).to.equal(405);
    expect(res.headers.allow).to.equal('POST');
  });

  it('PUT, PATCH, DELETE and OPTIONS on an inbox are 405 with Allow: POST, nothing stored; on an unknown inbox 404', async () => {
    const { token, url } = await createInbox();
    const path = new URL(url).pathname;
    for (const method of ['put', 'patch', 'delete', 'options'] as const) {
      const res = await request(hp.app)[method](path).send({ n: 1 });
      expect([res.status, res.headers.allow], method).to.deep.equal([405, 'POST']);
      expect(res.text, method).to.include('This inspector inbox accepts POST requests.');
    }
    expect(await w.service.inspector.store.requestsAsync(token)).to.have.length(0);
    expect((await request(hp.app).put(`/webhook-inspector/${'x'.repeat(32)}`)).status).to.equal(404);
  });
});

describe('plugins/webhooks request inspector: two hosts on one SQLite DATA_DIR', () => {
  it('an inbox\'s rate limit holds across the hosts that receive its requests', () =>
    onOneDataDir(
      (dir) => makeWebhooksApp({ allowNetworks: '', inspectorRatePerMinute: 3 }, dir),
      (w) => w.hp.close(),
      async (a, b) => {
        const { token } = a.service.inspector.createInbox(null);
        const statuses: number[] = [];
        for (const host of [a, b, a, b]) statuses.push((await request(host.hp.app).post(`/webhook-inspector/${token}`).send({ n: statuses.length })).status);
        expect(statuses).to.deep.equal([200, 200, 200, 429]);
      },
    ));
});
