import { expect } from 'chai';
import request from 'supertest';
import { adminAgent } from '../../core/testing/admin-agent.js';
import { ChildHost, createWebhooksChild, loginChild, pluginsFolder, tempDataDir } from '../helpers/child-host.js';
import { freshDatabaseUrl, rows, TEST_DATABASE_URL } from '../helpers/backends.js';
import { Receiver, type Received } from '../helpers/receiver.js';
import { firstPassOnly } from '../helpers/app.js';

/** Resolves when `event` happens, rejects after `ms` (a deadline, not a sleep). */
function within<T>(ms: number, what: string, event: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([event, deadline]).finally(() => clearTimeout(timer));
}

/** Asks `probe` again (on the next turn of the event loop) until it answers true; `within` bounds it. */
async function until(probe: () => Promise<boolean>): Promise<void> {
  while (!(await probe())) await new Promise((resolve) => setImmediate(resolve));
}

/** The sending process (the scale-probe fixture's header) and the message id of a received request. */
const senderOf = (r: Received) => String(r.headers['x-scale-probe-pid']);
const msgIdOf = (r: Received) => String(r.headers['webhook-id']);

// The lease is the shortest allowed: one attempt's total timeout. The killed process's deliveries
// are due again this long after it last claimed them.
const LEASE_MS = 6000;

/**
 * Issue 13: several host processes on one PostgreSQL database, as `npm start` starts them.
 * Three processes with the webhooks plugin and the scale-probe fixture (it fires events over
 * REST, tags each delivery with the sending pid, and records daily-job runs); one is killed with
 * SIGKILL while it holds leases.
 */
(TEST_DATABASE_URL ? describe : describe.skip)('core: three host processes on one PostgreSQL database', function () {
  firstPassOnly();
  this.timeout(120_000);
  const hosts: ChildHost[] = [];
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) h.kill();
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('a SIGKILLed process loses nothing (duplicates only of what it held), options reach the others within 1 s, a daily job runs once', async function () {
    const url = await freshDatabaseUrl();
    const plugins = pluginsFolder(['webhooks'], ['scale-probe']);
    const data = tempDataDir();
    const receiver = new Receiver();
    await receiver.start();
    cleanups.push(plugins.remove, data.remove, () => receiver.close());

    // The daily job falls due once all three are up (on a slow machine maybe earlier: it still runs once).
    const dailyAt = Math.floor(Date.now() / 1000) + 25;
    const env = {
      DATABASE_URL: url,
      DATA_DIR: data.dir,
      PLUGINS_DIR: plugins.dir,
      WEBHOOKS_ALLOW_NETWORKS: '127.0.0.0/8',
      WEBHOOKS_TIMEOUT_MS: String(LEASE_MS),
      WEBHOOKS_LEASE_MS: String(LEASE_MS),
      SCALE_PROBE_DAILY_AT: String(dailyAt),
    };
    for (let i = 0; i < 3; i++) hosts.push(ChildHost.start(env));
    const [a, b, victim] = hosts as [ChildHost, ChildHost, ChildHost];
    const [urlA, urlB, urlC] = (await within(60_000, 'three hosts listening', Promise.all(hosts.map((h) => h.ready)))) as [string, string, string];
    const victimPid = String(victim.child.pid);

    // Everything the victim sends is held unanswered until it dies: it never records an attempt,
    // so each of those deliveries is leased to it, sent, and unfinished when the SIGKILL comes.
    let victimDied!: () => void;
    const died = new Promise<void>((resolve) => (victimDied = resolve));
    const checks: Array<() => void> = [];
    receiver.reply = (req) => {
      queueMicrotask(() => [...checks].forEach((c) => c()));
      return senderOf(req) === victimPid ? { hold: died } : { status: 200, body: 'ok' };
    };
    /** Resolves once `test` holds for the requests received so far (checked at each new one). */
    const received = (test: (rs: Received[]) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => test(receiver.requests) && (checks.splice(checks.indexOf(check), 1), resolve());
        checks.push(check);
        check();
      });

    // Three webhooks on the receiver, made through the REST API (cookie + wp_rest nonce) of one process.
    await createWebhooksChild(urlA, ['one', 'two', 'three'].map((name) => ({ name, url: `${receiver.url}/${name}`, event: 'scale_probe' })));

    // The burst: each process answers fire requests of 5 events (durable when answered), 8 rounds each.
    const fired: string[] = [];
    const fire = async (base: string, from: string) => {
      for (let round = 0; round < 8; round++) {
        const res = await request(base).post('/wp-json/scale-probe/v1/fire').send({ from, count: 5, start: round * 5 });
        expect(res.status, res.text).to.equal(200);
        fired.push(...(res.body.ids as string[]));
      }
    };
    const victimFiring = fire(urlC, 'c').catch(() => 'cut off by the kill');
    let survivorsDone = false;
    const survivorsFiring = Promise.all([fire(urlA, 'a'), fire(urlB, 'b')]).finally(() => (survivorsDone = true));
    // Mid-burst: the victim has at least 4 requests out (its leases), the others are still firing.
    await within(30_000, 'the victim sending', received((rs) => rs.filter((r) => senderOf(r) === victimPid).length >= 4));
    const killedMidBurst = !survivorsDone;
    victim.kill();
    await victim.exited;
    victimDied();
    // Its leases as it left them (they run for LEASE_MS; nobody else may take them before).
    const leasedToVictim = await rows<{ msg_id: string }>(url, "SELECT msg_id FROM webhook_deliveries WHERE lease_owner LIKE $1 AND status = 'pending'", [`%:${victimPid}:%`]);
    await within(60_000, 'the survivors firing', survivorsFiring);
    await victimFiring;

    // Every (event, webhook) whose event committed — whichever process fired it, the victim's included — arrives.
    const [{ n: deliveries }] = (await rows<{ n: number }>(url, 'SELECT COUNT(*)::int AS n FROM webhook_deliveries')) as [{ n: number }];
    const events = await rows<{ id: string }>(url, 'SELECT id FROM webhook_events');
    expect(deliveries).to.equal(events.length * 3);
    expect(events.map((e) => e.id)).to.include.members(fired);
    // (Sent by a survivor: what the victim sent is unfinished, and is sent again once its lease runs out.)
    await within(LEASE_MS * 4 + 20_000, `all ${deliveries} deliveries received`, received((rs) => new Set(rs.filter((r) => senderOf(r) !== victimPid).map(msgIdOf)).size >= deliveries));

    // An option saved through one survivor is read from the other's cache within a second.
    const siteName = `Scaled ${Date.now()}`;
    const saved = await adminAgent(await loginChild(urlB)).submit('/wp-admin/network/settings.php', { site_name: siteName, admin_email: 'ops@example.com' });
    expect(saved.status).to.equal(303);
    const savedAt = Date.now();
    await within(5000, 'the option on the other process', until(async () => (await request(urlA).get('/wp-json/scale-probe/v1/state')).body.option === siteName));
    expect(Date.now() - savedAt, 'ms until the other process saw the option').to.be.below(1000);

    // The daily job: once across processes, after both survivors' schedulers looked at it.
    const afterRun = (h: string) => async () => ((await request(h).get('/wp-json/scale-probe/v1/state')).body.next_daily as number) >= dailyAt + 86_400;
    await within(90_000, 'both schedulers past the daily run', until(async () => (await afterRun(urlA)()) && (await afterRun(urlB)())));
    const runs = await rows<{ pid: number }>(url, 'SELECT pid FROM scale_probe_runs');
    expect(runs, 'one run of the daily job').to.have.length(1);

    // Stopped gracefully, the survivors record what is in flight: the database is final.
    await Promise.all([a.stop(), b.stop()]);
    const states = await rows<{ status: string; n: number }>(url, 'SELECT status, COUNT(*)::int AS n FROM webhook_deliveries GROUP BY status');
    expect(states).to.deep.equal([{ status: 'succeeded', n: deliveries }]);

    // None lost: every delivery's message id reached the receiver, for the right webhook and event.
    const all = await rows<{ msg_id: string; path: string; body: string }>(
      url,
      "SELECT d.msg_id, '/' || w.name AS path, e.body FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN webhook_events e ON e.id = d.event_id",
    );
    const byId = new Map<string, Received[]>();
    for (const r of receiver.requests) byId.set(msgIdOf(r), [...(byId.get(msgIdOf(r)) ?? []), r]);
    for (const d of all) {
      const got = byId.get(d.msg_id);
      expect(got, `delivery ${d.msg_id} received`).to.not.equal(undefined);
      const { from, seq } = JSON.parse(d.body) as { from: string; seq: number };
      for (const r of got!) expect([r.path, (JSON.parse(r.body) as { from: string; seq: number }).seq, JSON.parse(r.body).from]).to.deep.equal([d.path, seq, from]);
    }
    expect(byId.size, 'nothing received that is not a delivery').to.equal(all.length);

    // Duplicates: exactly the deliveries the victim had sent (each once more, by a survivor), all leased to it.
    const duplicated = [...byId].filter(([, rs]) => rs.length > 1);
    const sentByVictim = new Set(receiver.requests.filter((r) => senderOf(r) === victimPid).map(msgIdOf));
    expect(sentByVictim.size).to.be.at.least(4);
    expect(new Set(duplicated.map(([id]) => id)), 'duplicated = sent by the killed process').to.deep.equal(sentByVictim);
    for (const [, rs] of duplicated) {
      expect(rs.map(senderOf).filter((pid) => pid === victimPid), 'the victim sent it once').to.have.length(1);
      expect(rs, 'sent once more').to.have.length(2);
    }
    expect(leasedToVictim.map((r) => r.msg_id), 'only deliveries leased to the killed process').to.include.members([...sentByVictim]);
    // The survivors' attempt log holds one success per delivery (the victim recorded nothing).
    const [{ n: attempts }] = (await rows<{ n: number }>(url, 'SELECT COUNT(*)::int AS n FROM webhook_attempts WHERE success = 1')) as [{ n: number }];
    expect(attempts).to.equal(deliveries);
    this.test!.title += ` [${deliveries} deliveries, ${duplicated.length} duplicates, ${leasedToVictim.length} leased to the killed process${killedMidBurst ? ', killed while the others fired' : ''}]`;
  });
});
