import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import request from 'supertest';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { runInUnitOfWork } from '../../../core/plugin-sdk.js';
import { hookpress } from '../../helpers/cli.js';
import { freshDatabaseUrl, rows, TEST_DATABASE_URL } from '../../helpers/backends.js';
import { relayTo } from '../../helpers/pg-relay.js';
import { Receiver } from '../../helpers/receiver.js';
import { firstPassOnly, loginAgent, nonceIn, nonceNear } from '../../helpers/app.js';
import { apiKeyAuth } from '../../helpers/rest.js';
import { makeWebhooksApp, type WebhooksApp } from '../../helpers/webhooks.js';

/** The request's headers as single strings (what the Standard Webhooks verifiers take). */
const flat = (h: Record<string, string | string[] | undefined>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));

(TEST_DATABASE_URL ? describe : describe.skip)('plugins/webhooks: the delivery engine on PostgreSQL', function () {
  this.timeout(30_000);
  // Its hosts are on PostgreSQL whichever the pass.
  firstPassOnly();
  const opened: WebhooksApp[] = [];
  let receiver: Receiver;
  /** A host on `url` with the webhooks plugin; its worker running under `owner`. */
  const host = async (url: string, owner: string) => {
    const w = await makeWebhooksApp({ autoStart: true, owner, pollMs: 200 }, { databaseUrl: url, dataDir: path.join('/nonexistent', 'hookpress-pg-webhooks') });
    opened.push(w);
    return w;
  };
  beforeEach(async () => {
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(async () => {
    for (const w of opened.splice(0).reverse()) await w.hp.close();
    await receiver.close();
  });

  it('loads without api.sqlite; a webhook made through REST gets a fired event, signed, and the attempt and status are stored', async () => {
    const url = await freshDatabaseUrl();
    const w = await host(url, 'host-a:1:aaaa');
    expect(w.hp.query.dialect).to.equal('postgres');
    expect(w.service.deliveries, 'no synchronous store').to.equal(undefined);

    const auth = apiKeyAuth(w.hp);
    // On PostgreSQL option writes land in the background: the key's switch is stored before the first request.
    await w.hp.host.options.flush();
    const created = await request(w.hp.app)
      .post('/wp-json/wu/v2/webhook')
      .set('Authorization', auth)
      .send({ name: 'Payments', webhook_url: `${receiver.url}/hook`, event: 'payment_received', integration: 'manual' });
    expect(created.status, created.text).to.equal(201);
    const id = created.body.id as number;
    const listed = await request(w.hp.app).get('/wp-json/wu/v2/webhooks').set('Authorization', auth);
    expect(listed.body.map((x: { id: number }) => x.id)).to.deep.equal([id]);

    const eventId = w.service.wu_do_event('payment_received', { payment_id: 7 });
    expect(eventId).to.match(/^evt_/);
    await receiver.waitFor(1);
    await w.service.worker.idle();
    const req = receiver.requests[0]!;
    const secret = (await w.service.getWebhookAsync(id)).secret;
    expect(new StandardWebhook(secret).verify(req.body, flat(req.headers))).to.deep.include({ payment_id: 7 });

    const [delivery] = await rows<{ id: number; status: string; attempts: number; lease_owner: string; msg_id: string }>(
      url,
      'SELECT id, status, attempts, lease_owner, msg_id FROM webhook_deliveries WHERE event_id = $1',
      [eventId],
    );
    expect(delivery).to.include({ status: 'succeeded', attempts: 1, lease_owner: 'host-a:1:aaaa', msg_id: req.headers['webhook-id'] });
    const attempts = await rows<{ response_status: number; success: number; outcome: string }>(url, 'SELECT response_status, success, outcome FROM webhook_attempts WHERE delivery_id = $1', [delivery!.id]);
    expect(attempts).to.deep.equal([{ response_status: 200, success: 1, outcome: 'success' }]);
    const [health] = await rows<{ last_status: string; event_count: number }>(url, 'SELECT last_status, event_count FROM webhooks WHERE id = $1', [id]);
    expect(health).to.deep.equal({ last_status: 'success', event_count: 1 });

    // The same through the asynchronous API the REST routes use, and the admin's list screen.
    const detail = await request(w.hp.app).get(`/wp-json/wu/v2/delivery/${delivery!.id}`).set('Authorization', auth);
    expect(detail.status, detail.text).to.equal(200);
    expect(detail.body.attempts).to.have.length(1);
    // Resend, test send and rotation through REST, on the asynchronous paths.
    const resent = await request(w.hp.app).post(`/wp-json/wu/v2/delivery/${delivery!.id}/resend`).set('Authorization', auth);
    expect(resent.status, resent.text).to.equal(200);
    await receiver.waitFor(2);
    await w.service.worker.idle();
    expect(receiver.requests[1]!.headers['webhook-id'], 'a resend keeps the message id').to.equal(req.headers['webhook-id']);
    const tested = await request(w.hp.app).post(`/wp-json/wu/v2/webhook/${id}/test`).set('Authorization', auth);
    expect(tested.body).to.include({ ok: true, status: 200 });
    expect(receiver.requests[2]!.headers['x-hookpress-test']).to.equal('true');
    const rotated = await request(w.hp.app).post(`/wp-json/wu/v2/webhook/${id}/rotate-secret`).set('Authorization', auth).send({});
    expect(rotated.status, rotated.text).to.equal(200);
    expect((await w.service.getWebhookAsync(id)).previous_secret).to.equal(secret);
    expect((await rows<{ n: number }>(url, 'SELECT COUNT(*)::int AS n FROM webhook_attempts WHERE delivery_id = $1', [delivery!.id]))[0]?.n).to.equal(2);
    // The admin: the list screen (its sparklines and log counts read asynchronously) and the dashboard widget.
    const admin = await loginAgent(w.hp);
    const list = await admin.get('/wp-admin/network/admin.php?page=webhooks');
    expect(list.status, list.text.slice(0, 500)).to.equal(200);
    expect(list.text).to.include('Payments').and.to.include(`${receiver.url}/hook`);
    const dashboard = await admin.get('/wp-admin/network/');
    expect(dashboard.status).to.equal(200);
    // The delivery (sent, then resent) counts once; the test send counts in no figure.
    expect(dashboard.text).to.match(/<strong[^>]*>1<\/strong> deliveries attempted in the last hour/);
  });

  it('a PostgreSQL that stops answering (connections open, nothing forwarded): the worker’s claims fail within DB_QUERY_TIMEOUT_MS (logged), it keeps running, and delivers once the server answers', async () => {
    const url = await freshDatabaseUrl();
    const relay = await relayTo(new URL(url));
    const lines: string[] = [];
    let heard: (() => void) | undefined;
    const logs = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        if (String(chunk).includes('claiming deliveries failed')) heard?.();
        done();
      },
    });
    try {
      const w = await makeWebhooksApp(
        { autoStart: true, owner: 'host-a:1:aaaa', pollMs: 100 },
        { databaseUrl: relay.url(url), dataDir: path.join('/nonexistent', 'hookpress-pg-webhooks'), queryTimeoutMs: 300, connectTimeoutMs: 300, logLevel: 'error', logDestination: logs },
      );
      opened.push(w);
      await w.hp.host.options.flush();
      const created = await request(w.hp.app)
        .post('/wp-json/wu/v2/webhook')
        .set('Authorization', apiKeyAuth(w.hp))
        .send({ name: 'Payments', webhook_url: `${receiver.url}/hook`, event: 'payment_received', integration: 'manual' });
      expect(created.status, created.text).to.equal(201);
      const claimFailed = new Promise<void>((resolve) => (heard = resolve));
      relay.freeze();
      // The worker polls every 100 ms: a claim meets the silent server and gives up after 300 ms
      // (unbounded, it would wait until the test's timeout).
      await claimFailed;
      expect(lines.join('')).to.include('did not answer a query within 300 ms');
      relay.thaw();
      await runInUnitOfWork(() => w.service.wu_do_event('payment_received', { payment_id: 8 }));
      await receiver.waitFor(1);
      expect(JSON.parse(receiver.requests[0]!.body)).to.deep.include({ payment_id: 8 });
    } finally {
      await relay.close();
    }
  });

  it('the admin screens on PostgreSQL: add a webhook, its edit screen with health, deactivate, the deliveries list and one delivery', async () => {
    const url = await freshDatabaseUrl();
    const w = await host(url, 'host-a:1:aaaa');
    const agent = await loginAgent(w.hp);
    const page = (slug: string, params = '') => `/wp-admin/network/admin.php?page=${slug}${params}`;
    const form = await agent.get(page('webhooks-new'));
    const added = await agent.post(page('webhooks-new')).type('form').send({ _wpnonce: nonceIn(form.text), name: 'CRM', url: `${receiver.url}/crm`, event: 'payment_received' });
    expect(added.status, added.text.slice(0, 300)).to.equal(303);
    const [hook] = (await w.service.listWebhooksAsync()).items;
    expect(hook).to.include({ name: 'CRM', active: true });
    const edit = await agent.get(added.headers.location!);
    expect(edit.status, edit.text.slice(0, 300)).to.equal(200);
    expect(edit.text).to.include('Webhook “CRM” added.').and.include('0</strong> deliveries');

    const eventId = w.service.wu_do_event('payment_received', { payment_id: 1 });
    await receiver.waitFor(1);
    await w.service.worker.idle();
    const [delivery] = await rows<{ id: number }>(url, 'SELECT id FROM webhook_deliveries WHERE event_id = $1', [eventId]);
    const list = await agent.get(page('webhooks-deliveries', `&webhook_id=${hook!.id}`));
    expect(list.status).to.equal(200);
    expect(list.text).to.include(String(receiver.requests[0]!.headers['webhook-id']));
    const detail = await agent.get(page('webhooks-deliveries', `&delivery=${delivery!.id}`));
    expect(detail.status).to.equal(200);
    expect(detail.text).to.include('Resend');

    // Row action "Deactivate" from the list: the next event goes nowhere.
    const listPage = await agent.get(page('webhooks'));
    const deactivated = await agent.post(page('webhooks')).type('form').send({ _wpnonce: nonceNear(listPage.text, 'name="action" value="deactivate"'), action: 'deactivate', webhook_id: hook!.id });
    expect(deactivated.status, deactivated.text.slice(0, 300)).to.equal(303);
    expect((await w.service.getWebhookAsync(hook!.id)).active).to.equal(false);
  });

  it('an event fired inside an api.db transaction commits with it and is delivered, or rolls back with it; pruned after the retention', async () => {
    const url = await freshDatabaseUrl();
    const w = await host(url, 'host-a:1:aaaa');
    await w.service.createWebhookAsync({ name: 'Orders', url: `${receiver.url}/orders`, event: 'payment_received' });
    const db = w.hp.plugins.apiOf('webhooks')!.db;
    const kept = await db.transaction().execute(async () => w.service.wu_do_event('payment_received', { payment_id: 1 }));
    await db
      .transaction()
      .execute(async () => {
        w.service.wu_do_event('payment_received', { payment_id: 2 });
        throw new Error('the caller changes its mind');
      })
      .catch(() => undefined);
    await receiver.waitFor(1);
    await w.service.worker.idle();
    const events = await rows<{ id: string; deliveries: number }>(url, 'SELECT e.id, (SELECT COUNT(*)::int FROM webhook_deliveries d WHERE d.event_id = e.id) AS deliveries FROM webhook_events e');
    expect(events).to.deep.equal([{ id: kept, deliveries: 1 }]);
    expect(receiver.requests.map((r) => (JSON.parse(r.body) as { payment_id: number }).payment_id)).to.deep.equal([1]);
    // Past the retention: pruning (on the query layer) takes the attempt, the finished delivery and its event.
    w.clock.advance(31 * 24 * 3_600_000);
    expect(await w.service.pruneAsync()).to.equal(3);
    expect(await rows(url, 'SELECT id FROM webhook_events')).to.deep.equal([]);
    expect(await w.service.pruneAsync()).to.equal(0);
  });

  it('the request inspector on PostgreSQL: an inbox made on the screen receives a signed event through the SSRF exception; “signature valid”', async () => {
    const url = await freshDatabaseUrl();
    // No loopback allowlist: only the inspector's own rule lets the delivery through.
    const w = await makeWebhooksApp({ autoStart: true, owner: 'host-a:1:aaaa', allowNetworks: '' }, { databaseUrl: url, dataDir: path.join('/nonexistent', 'hookpress-pg-webhooks'), port: 0 });
    opened.push(w);
    const base = await w.hp.start();
    const agent = await loginAgent(w.hp);
    const page = (slug: string, params = '') => `/wp-admin/network/admin.php?page=${slug}${params}`;
    const screen = await agent.get(page('webhooks-inspector'));
    const created = await agent.post(page('webhooks-inspector')).type('form').send({ _wpnonce: nonceNear(screen.text, 'value="create"'), action: 'create' });
    expect(created.status, created.text.slice(0, 300)).to.equal(303);
    const token = new URL(created.headers.location!, base).searchParams.get('inbox')!;
    const hook = await w.service.createWebhookAsync({ name: 'Inspect me', url: `${base}/webhook-inspector/${token}`, event: 'payment_received' });
    // Durable (and handed to the worker) before the test goes on: then worker.idle() waits for its delivery.
    await runInUnitOfWork(() => w.service.wu_do_event('payment_received', { payment_id: 2718 }));
    const result = await w.service.send_test_event(hook.id);
    expect(result, result.errorMessage ?? '').to.include({ ok: true, status: 200 });
    await w.service.worker.idle();
    const inbox = await agent.get(page('webhooks-inspector', `&inbox=${token}`));
    expect(inbox.status).to.equal(200);
    expect(inbox.text).to.include('Signature valid: signed with the current secret of “Inspect me”.').and.include('&quot;payment_id&quot;: 2718');
    expect((await rows<{ n: number }>(url, 'SELECT COUNT(*)::int AS n FROM webhook_inspector_requests'))[0]?.n).to.equal(2);
  });

  it('the command line on PostgreSQL: wu webhook create, list and delete', async () => {
    const url = await freshDatabaseUrl();
    const env = { DATABASE_URL: url, DATA_DIR: path.join('/nonexistent', 'hookpress-pg-cli'), WEBHOOKS_ALLOW_NETWORKS: '127.0.0.0/8' };
    const created = await hookpress(['wu', 'webhook', 'create', '--name=From CLI', `--url=${receiver.url}/cli`, '--event=payment_received', '--porcelain'], env);
    expect(created.code, created.stderr).to.equal(0);
    const id = Number(created.stdout.trim());
    const listed = await hookpress(['wu', 'webhook', 'list', '--format=json'], env);
    expect(listed.code, listed.stderr).to.equal(0);
    expect((JSON.parse(listed.stdout) as Array<{ id: number; name: string }>).map((w) => [w.id, w.name])).to.deep.equal([[id, 'From CLI']]);
    const deleted = await hookpress(['wu', 'webhook', 'delete', String(id)], env);
    expect(deleted.code, deleted.stderr).to.equal(0);
    expect(await rows(url, 'SELECT id FROM webhooks')).to.deep.equal([]);
  });

  it('two hosts on one database: every (event, webhook) delivered exactly once, each host claiming under its own owner id', async () => {
    const url = await freshDatabaseUrl();
    const a = await host(url, 'host-a:1:aaaa');
    const b = await host(url, 'host-b:2:bbbb');
    const hooks = [];
    for (const name of ['one', 'two', 'three']) hooks.push(await a.service.createWebhookAsync({ name, url: `${receiver.url}/${name}`, event: 'payment_received' }));
    const fired: string[] = [];
    for (let i = 0; i < 20; i++) fired.push((i % 2 ? b : a).service.wu_do_event('payment_received', { payment_id: i }) as string);
    const expected = fired.length * hooks.length;
    await receiver.waitFor(expected);
    await Promise.all([a.service.worker.idle(), b.service.worker.idle()]);

    const done = await rows<{ status: string; attempts: number; lease_owner: string; n: number }>(
      url,
      'SELECT status, attempts, lease_owner, COUNT(*)::int AS n FROM webhook_deliveries GROUP BY status, attempts, lease_owner ORDER BY lease_owner',
    );
    expect(done.every((r) => r.status === 'succeeded' && r.attempts === 1), JSON.stringify(done)).to.equal(true);
    expect(done.reduce((n, r) => n + r.n, 0)).to.equal(expected);
    // Each delivery was leased by one of the two workers, under its owner id (which one took which
    // depends on who held a webhook's claim lock at the moment: a write or claim never waits for it).
    for (const r of done) expect(['host-a:1:aaaa', 'host-b:2:bbbb']).to.include(r.lease_owner);
    const attempts = (await rows<{ n: number }>(url, 'SELECT COUNT(*)::int AS n FROM webhook_attempts'))[0]?.n;
    expect(attempts).to.equal(expected);
    // Exactly once at the receiver: one request per (event, webhook), no message id twice.
    expect(receiver.requests).to.have.length(expected);
    const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
    expect(ids.size).to.equal(expected);
    const pairs = new Set(receiver.requests.map((r) => `${r.path} ${(JSON.parse(r.body) as { payment_id: number }).payment_id}`));
    expect(pairs.size).to.equal(expected);
  });
});
