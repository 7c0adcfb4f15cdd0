import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { HealthStore } from '../../../plugins/webhooks/data/health-store.js';
import { InspectorStore } from '../../../plugins/webhooks/data/inspector-store.js';
import { WebhooksStore } from '../../../plugins/webhooks/data/webhooks-store.js';
import type { Webhook } from '../../../plugins/webhooks/model/webhook.js';
import { forEachBackend, type TestDb } from '../../helpers/backends.js';
import { webhooksSchema } from '../../helpers/webhooks-schema.js';

/** Past 2^31: millisecond times must survive as numbers on both databases. */
const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;

function webhook(over: Partial<Omit<Webhook, 'id'>> = {}): Omit<Webhook, 'id'> {
  return {
    name: 'Endpoint',
    url: 'http://127.0.0.1:9/hook',
    event: 'payment_received',
    active: true,
    disabled_reason: null,
    disabled_at: null,
    secret: 'whsec_x',
    previous_secret: null,
    previous_secret_expires: null,
    event_count: 0,
    last_status: null,
    last_http_status: null,
    last_delivery_at: null,
    failing_since: null,
    created_at: NOW,
    updated_at: NOW,
    integration: 'manual',
    hidden: false,
    headers: [],
    ...over,
  };
}

/** A migrated database and the three stores on it, as the service builds them. */
async function open(t: TestDb) {
  await webhooksSchema(t);
  const db = t.layer.db as Kysely<any>;
  return {
    db: t.layer.db as Kysely<any>,
    webhooks: new WebhooksStore(db, t.dialect, t.sync),
    health: new HealthStore(db, t.dialect, t.sync),
    inspector: new InspectorStore(db, t.dialect, t.sync),
  };
}

forEachBackend('plugins/webhooks WebhooksStore', (backend) => {
  let s: Awaited<ReturnType<typeof open>>;
  beforeEach(async () => {
    s = await open(await backend.open());
  });

  it('stores a webhook and reads it back as written: flags as booleans, headers as a list, times as numbers', async () => {
    const id = await s.webhooks.insertAsync(webhook({ hidden: true, headers: [{ name: 'Authorization', value: 'Bearer t' }], previous_secret_expires: NOW + HOUR }));
    const got = await s.webhooks.getAsync(id);
    expect(got).to.deep.include({ ...webhook({ hidden: true, headers: [{ name: 'Authorization', value: 'Bearer t' }], previous_secret_expires: NOW + HOUR }), id });
    expect(await s.webhooks.getAsync(id + 100)).to.equal(undefined);
  });

  it('updates only the fields given (none: nothing), deletes once', async () => {
    const id = await s.webhooks.insertAsync(webhook());
    await s.webhooks.updateAsync(id, { active: false, disabled_reason: 'gone', disabled_at: NOW + 1, headers: [{ name: 'X-A', value: '1' }] });
    await s.webhooks.updateAsync(id, {});
    expect(await s.webhooks.getAsync(id)).to.deep.include({ name: 'Endpoint', active: false, disabled_reason: 'gone', disabled_at: NOW + 1, headers: [{ name: 'X-A', value: '1' }] });
    expect(await s.webhooks.deleteAsync(id)).to.equal(true);
    expect(await s.webhooks.deleteAsync(id)).to.equal(false);
    expect(await s.webhooks.countAsync()).to.equal(0);
  });

  it('activeFor: the active webhooks of one event, in id order', async () => {
    const a = await s.webhooks.insertAsync(webhook({ url: 'http://127.0.0.1:9/a' }));
    await s.webhooks.insertAsync(webhook({ active: false }));
    await s.webhooks.insertAsync(webhook({ event: 'site_published' }));
    const c = await s.webhooks.insertAsync(webhook({ url: 'http://127.0.0.1:9/c' }));
    expect(await s.webhooks.activeForAsync('payment_received')).to.deep.equal([
      { id: a, url: 'http://127.0.0.1:9/a' },
      { id: c, url: 'http://127.0.0.1:9/c' },
    ]);
  });

  it('list: search ignoring ASCII case, status and column filters, order with NULLs lowest, pages and the total', async () => {
    const one = await s.webhooks.insertAsync(webhook({ name: 'Billing', last_delivery_at: NOW + 2 }));
    const two = await s.webhooks.insertAsync(webhook({ name: 'CRM sync', event: 'site_published', last_delivery_at: NOW + 1 }));
    const off = await s.webhooks.insertAsync(webhook({ name: 'Off', active: false }));
    const gone = await s.webhooks.insertAsync(webhook({ name: 'Gone', active: false, disabled_reason: 'gone', hidden: true, integration: 'zapier' }));
    const names = async (q: Parameters<WebhooksStore['listAsync']>[0]) => (await s.webhooks.listAsync(q)).items.map((w) => w.id);
    const page = { limit: 10, offset: 0 };
    expect(await names({ ...page, search: 'crm' })).to.deep.equal([two]);
    expect(await names({ ...page, search: 'PAYMENT', orderby: 'id', order: 'asc' })).to.deep.equal([one, off, gone]);
    expect(await names({ ...page, status: 'active', orderby: 'id', order: 'asc' })).to.deep.equal([one, two]);
    expect(await names({ ...page, status: 'inactive' })).to.deep.equal([off]);
    expect(await names({ ...page, status: 'disabled' })).to.deep.equal([gone]);
    expect(await names({ ...page, hidden: true })).to.deep.equal([gone]);
    expect(await names({ ...page, integration: 'zapier' })).to.deep.equal([gone]);
    expect(await names({ ...page, event: 'site_published', active: true })).to.deep.equal([two]);
    // Never delivered (NULL) sorts lowest on both databases; ties by id in the same direction.
    expect(await names({ ...page, orderby: 'last_delivery_at', order: 'asc' })).to.deep.equal([off, gone, two, one]);
    expect(await names({ ...page, orderby: 'last_delivery_at', order: 'desc' })).to.deep.equal([one, two, gone, off]);
    expect(await s.webhooks.listAsync({ limit: 2, offset: 1, orderby: 'id', order: 'asc' })).to.deep.include({ total: 4 });
    expect(await names({ limit: 2, offset: 1, orderby: 'id', order: 'asc' })).to.deep.equal([two, off]);
    // An unknown column falls back to created_at (never reaches the SQL).
    expect(await names({ ...page, orderby: 'secret; DROP TABLE webhooks' as never, order: 'asc' })).to.deep.equal([one, two, off, gone]);
  });

  it('the synchronous face: the same answers on SQLite, an error naming the store on PostgreSQL', async () => {
    const id = await s.webhooks.insertAsync(webhook());
    if (backend.name === 'postgres') {
      expect(() => s.webhooks.get(id)).to.throw(/WebhooksStore.*PostgreSQL/);
      expect(() => s.webhooks.activeFor('payment_received')).to.throw(/WebhooksStore/);
      return;
    }
    const id2 = s.webhooks.insert(webhook({ name: 'Sync', hidden: true }));
    s.webhooks.update(id2, { url: 'http://127.0.0.1:9/sync' });
    expect(s.webhooks.get(id2)).to.deep.equal(await s.webhooks.getAsync(id2));
    expect(s.webhooks.get(id2)).to.deep.include({ name: 'Sync', url: 'http://127.0.0.1:9/sync', hidden: true });
    expect(s.webhooks.activeFor('payment_received')).to.deep.equal(await s.webhooks.activeForAsync('payment_received'));
    expect(s.webhooks.list({ limit: 10, offset: 0 })).to.deep.equal(await s.webhooks.listAsync({ limit: 10, offset: 0 }));
    expect(s.webhooks.count()).to.equal(2);
    expect(s.webhooks.delete(id)).to.equal(true);
    expect(s.webhooks.delete(id)).to.equal(false);
  });
});

forEachBackend('plugins/webhooks HealthStore', (backend) => {
  let s: Awaited<ReturnType<typeof open>>;
  let hook: number;
  let other: number;
  let seq = 0;
  beforeEach(async () => {
    s = await open(await backend.open());
    hook = await s.webhooks.insertAsync(webhook());
    other = await s.webhooks.insertAsync(webhook({ name: 'Other', disabled_reason: 'failing', active: false }));
  });

  /** A delivery of `webhookId` (pending with `attempts` made, or as given) and its attempts: [attempted_at, outcome, duration_ms]. */
  const seed = async (webhookId: number, attempts: Array<[number, string | null, number]>, status = 'pending') => {
    const event = `evt_${++seq}`;
    await s.db.insertInto('webhook_events').values({ id: event, event: 'payment_received', body: '{}', created_at: NOW }).execute();
    const { id } = await s.db
      .insertInto('webhook_deliveries')
      .values({ msg_id: `msg_${seq}`, webhook_id: webhookId, event_id: event, event: 'payment_received', url: 'u', status, attempts: attempts.length, max_attempts: 8, created_at: NOW, updated_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const [at, outcome, duration] of attempts) {
      await s.db
        .insertInto('webhook_attempts')
        .values({ delivery_id: id, webhook_id: webhookId, trigger: 'event', attempted_at: at, request_url: 'u', request_headers: '{}', duration_ms: duration, success: outcome === 'success' ? 1 : 0, outcome })
        .execute();
    }
  };

  it('buckets: outcomes per hour from a start time, test sends and times outside the range left out', async () => {
    await seed(hook, [
      [NOW, 'success', 10],
      [NOW + 10, 'retrying', 20],
      [NOW + HOUR + 5, 'failed', 30],
      [NOW + 2 * HOUR + 1, 'success', 40],
      [NOW + 2 * HOUR + 2, null, 50],
      [NOW - 1, 'success', 60],
      [NOW + 3 * HOUR, 'success', 70],
    ]);
    await seed(other, [[NOW, 'failed', 5]]);
    const want = [
      { success: 1, retrying: 1, failed: 0 },
      { success: 0, retrying: 0, failed: 1 },
      { success: 1, retrying: 0, failed: 0 },
    ];
    expect(await s.health.bucketsAsync(hook, NOW, HOUR, 3)).to.deep.equal(want);
    const many = await s.health.bucketsManyAsync([hook, other, 999], NOW, HOUR, 3);
    expect([...many.keys()]).to.deep.equal([hook, other, 999]);
    expect(many.get(hook)).to.deep.equal(want);
    expect(many.get(other)).to.deep.equal([{ success: 0, retrying: 0, failed: 1 }, { success: 0, retrying: 0, failed: 0 }, { success: 0, retrying: 0, failed: 0 }]);
    expect(many.get(999)).to.deep.equal([0, 1, 2].map(() => ({ success: 0, retrying: 0, failed: 0 })));
    expect((await s.health.bucketsManyAsync([], NOW, HOUR, 3)).size).to.equal(0);
  });

  it('latency: percentiles of attempt durations since a time (test sends left out); null without attempts', async () => {
    expect(await s.health.latencyAsync(hook, NOW)).to.equal(null);
    await seed(hook, [...Array.from({ length: 19 }, (_, i): [number, string, number] => [NOW + i, 'success', 100]), [NOW + 20, 'failed', 900], [NOW + 21, null, 5000], [NOW - 1, 'success', 1]]);
    expect(await s.health.latencyAsync(hook, NOW)).to.deep.equal({ p50: 100, p95: 900, n: 20 });
  });

  it('overview: attempts and failures of the last hour, deliveries waiting to retry, disabled webhooks', async () => {
    await seed(hook, [
      [NOW - HOUR + 1, 'success', 1],
      [NOW - 10, 'retrying', 1],
      [NOW - 5, 'failed', 1],
      [NOW - HOUR - 1, 'failed', 1],
      [NOW - 3, null, 1],
    ]);
    await seed(hook, []);
    await seed(hook, [[NOW - 2 * HOUR, 'failed', 1]], 'failed');
    expect(await s.health.overviewAsync(NOW)).to.deep.equal({ lastHour: 3, failedLastHour: 2, retryingPending: 1, disabled: 1 });
  });

  it('the synchronous face: the same answers on SQLite (through the covering indexes), an error naming the store on PostgreSQL', async () => {
    await seed(hook, [
      [NOW, 'success', 10],
      [NOW + HOUR, 'failed', 30],
    ]);
    if (backend.name === 'postgres') {
      expect(() => s.health.overview(NOW)).to.throw(/HealthStore.*PostgreSQL/);
      return;
    }
    expect(s.health.buckets(hook, NOW, HOUR, 2)).to.deep.equal(await s.health.bucketsAsync(hook, NOW, HOUR, 2));
    expect(s.health.bucketsMany([hook, other], NOW, HOUR, 2)).to.deep.equal(await s.health.bucketsManyAsync([hook, other], NOW, HOUR, 2));
    expect(s.health.latency(hook, NOW)).to.deep.equal({ p50: 30, p95: 30, n: 2 });
    expect(s.health.overview(NOW + HOUR)).to.deep.equal(await s.health.overviewAsync(NOW + HOUR));
  });
});

forEachBackend('plugins/webhooks InspectorStore', (backend) => {
  let s: Awaited<ReturnType<typeof open>>;
  beforeEach(async () => {
    s = await open(await backend.open());
  });
  const inbox = (token: string, created_at = NOW, expires_at = NOW + HOUR) => ({ token, created_by: 1, created_at, expires_at });
  const request = (token: string, n: number) => ({ token, received_at: NOW + n, method: 'POST', headers: '{}', body: Buffer.from(`{"n":${n}}`), source_ip: '127.0.0.1' });
  const bodies = (rs: Array<{ body: Buffer }>) => rs.map((r) => JSON.parse(r.body.toString('utf8')).n as number);

  it('inboxes: created, read, listed newest first with their request counts, deleted with their requests', async () => {
    await s.inspector.createInboxAsync(inbox('old', NOW));
    await s.inspector.createInboxAsync(inbox('new', NOW + 1));
    await s.inspector.addRequestAsync(request('old', 1), 10);
    await s.inspector.addRequestAsync(request('old', 2), 10);
    expect(await s.inspector.inboxAsync('old')).to.deep.equal(inbox('old', NOW));
    expect(await s.inspector.inboxAsync('nope')).to.equal(undefined);
    expect(await s.inspector.inboxesAsync()).to.deep.equal([
      { ...inbox('new', NOW + 1), requests: 0 },
      { ...inbox('old', NOW), requests: 2 },
    ]);
    expect(await s.inspector.deleteInboxAsync('old')).to.equal(true);
    expect(await s.inspector.deleteInboxAsync('old')).to.equal(false);
    expect(await s.inspector.countRequestsAsync('old'), 'its requests went with it').to.equal(0);
  });

  it('requests: kept to the newest `keep` of their inbox, listed newest first, paged, each found by id', async () => {
    await s.inspector.createInboxAsync(inbox('t'));
    await s.inspector.createInboxAsync(inbox('u'));
    const ids: number[] = [];
    for (let n = 1; n <= 5; n++) ids.push(await s.inspector.addRequestAsync(request('t', n), 3));
    await s.inspector.addRequestAsync(request('u', 9), 3);
    expect(await s.inspector.countRequestsAsync('t')).to.equal(3);
    expect(bodies(await s.inspector.requestsAsync('t'))).to.deep.equal([5, 4, 3]);
    expect(bodies(await s.inspector.requestsAsync('t', 2, 1))).to.deep.equal([4, 3]);
    expect(bodies(await s.inspector.requestsAsync('t', -1, 1)), 'all from an offset').to.deep.equal([4, 3]);
    expect(await s.inspector.requestAsync('t', ids[4]!)).to.deep.equal({ id: ids[4], ...request('t', 5) });
    expect(await s.inspector.requestAsync('u', ids[4]!), 'another inbox’s id').to.equal(undefined);
    expect(await s.inspector.requestAsync('t', ids[0]!), 'pruned').to.equal(undefined);
  });

  it('deleteExpired removes the inboxes expired at a time, and only those', async () => {
    await s.inspector.createInboxAsync(inbox('a', NOW, NOW + 10));
    await s.inspector.createInboxAsync(inbox('b', NOW, NOW + 20));
    expect(await s.inspector.deleteExpiredAsync(NOW + 10)).to.equal(1);
    expect((await s.inspector.inboxesAsync()).map((i) => i.token)).to.deep.equal(['b']);
  });

  it('the synchronous face: the same answers on SQLite, an error naming the store on PostgreSQL', async () => {
    if (backend.name === 'postgres') {
      expect(() => s.inspector.createInbox(inbox('t'))).to.throw(/InspectorStore.*PostgreSQL/);
      expect(() => s.inspector.addRequest(request('t', 1), 3)).to.throw(/InspectorStore/);
      return;
    }
    s.inspector.createInbox(inbox('t'));
    const ids = [1, 2, 3, 4].map((n) => s.inspector.addRequest(request('t', n), 3));
    expect(s.inspector.inbox('t')).to.deep.equal(await s.inspector.inboxAsync('t'));
    expect(s.inspector.inboxes()).to.deep.equal(await s.inspector.inboxesAsync());
    expect(bodies(s.inspector.requests('t'))).to.deep.equal([4, 3, 2]);
    expect(bodies(s.inspector.requests('t', -1, 2))).to.deep.equal([2]);
    expect(s.inspector.countRequests('t')).to.equal(3);
    expect(s.inspector.request('t', ids[3]!)).to.deep.equal(await s.inspector.requestAsync('t', ids[3]!));
    expect(s.inspector.deleteExpired(NOW + HOUR)).to.equal(1);
    expect(s.inspector.deleteInbox('t')).to.equal(false);
  });
});
