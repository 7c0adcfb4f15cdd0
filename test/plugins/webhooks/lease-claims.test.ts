import { expect } from 'chai';
import { sql, type Kysely } from 'kysely';
import { CLAIM_LOCK_KEY, LeaseClaims, type LeaseTables } from '../../../plugins/webhooks/data/lease-claims.js';
import { forEachBackend } from '../../helpers/backends.js';
import { webhooksSchema } from '../../helpers/webhooks-schema.js';

const NOW = 1_700_000_000_000;

async function sequence<T>(tasks: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = [];
  for (const t of tasks) out.push(await t());
  return out;
}
const LEASE = 60_000;

forEachBackend('LeaseClaims (the claim on the query layer)', (backend) => {
  let A: LeaseClaims;
  let B: LeaseClaims;
  let db: Kysely<any>;
  let hook1: number;
  let hook2: number;
  let seq = 0;

  const open = async (perWebhook: number) => {
    const first = await backend.open();
    await webhooksSchema(first);
    const second = await backend.openAgain();
    db = first.layer.db as Kysely<any>;
    A = new LeaseClaims(first.layer.db as Kysely<LeaseTables>, first.dialect, 'host-a:1:aaaa', perWebhook);
    B = new LeaseClaims(second.layer.db as Kysely<LeaseTables>, second.dialect, 'host-b:2:bbbb', perWebhook);
    hook1 = Number((await db.insertInto('webhooks').values(webhookRow('One')).returning('id').executeTakeFirstOrThrow()).id);
    hook2 = Number((await db.insertInto('webhooks').values(webhookRow('Two')).returning('id').executeTakeFirstOrThrow()).id);
  };
  const webhookRow = (name: string) => ({ name, url: 'http://127.0.0.1:9/', event: 'payment_received', secret: 'whsec_x', created_at: 0, updated_at: 0 });
  /** `n` due deliveries of `webhookId`, due at `at`; their ids in order. */
  const due = async (webhookId: number | null, n: number, at = NOW): Promise<number[]> => {
    const eventId = `evt_${++seq}`;
    await db.insertInto('webhook_events').values({ id: eventId, event: 'payment_received', body: '{}', created_at: at }).execute();
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const row = { msg_id: `msg_${seq}_${i}`, webhook_id: webhookId, event_id: eventId, event: 'payment_received', url: 'http://127.0.0.1:9/', status: 'pending', max_attempts: 8, next_attempt_at: at, created_at: at, updated_at: at };
      ids.push(Number((await db.insertInto('webhook_deliveries').values(row).returning('id').executeTakeFirstOrThrow()).id));
    }
    return ids;
  };
  const row = async (id: number) => db.selectFrom('webhook_deliveries').select(['lease_owner', 'lease_until', 'next_attempt_at']).where('id', '=', id).executeTakeFirstOrThrow();
  const leased = async (webhookId: number, now = NOW) =>
    Number((await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll().as('n')).where('webhook_id', '=', webhookId).where('status', '=', 'pending').where('lease_until', '>', now).executeTakeFirstOrThrow()).n);

  it('leases oldest first to its owner; another owner never releases them; a lease that ran out goes to the next claim', async () => {
    await open(16);
    const ids = await due(hook1, 3);
    const a = await A.claimDue(NOW, 2, LEASE);
    expect(a.map((d) => d.id)).to.deep.equal(ids.slice(0, 2));
    expect(a[0]).to.include({ lease_until: NOW + LEASE, event: 'payment_received', attempts: 0 });
    expect(await row(ids[0]!)).to.deep.equal({ lease_owner: A.owner, lease_until: NOW + LEASE, next_attempt_at: NOW + LEASE });
    expect(await B.releaseLeases(ids, NOW)).to.equal(0);
    expect((await B.claimDue(NOW, 10, LEASE)).map((d) => d.id)).to.deep.equal([ids[2]]);
    expect(await A.releaseLeases(ids, NOW), 'its own two').to.equal(2);
    expect(await row(ids[0]!)).to.deep.equal({ lease_owner: null, lease_until: null, next_attempt_at: NOW });
    expect((await A.claimDue(NOW, 10, LEASE)).map((d) => d.id)).to.deep.equal(ids.slice(0, 2));
    expect(await B.claimDue(NOW + LEASE - 1, 10, LEASE)).to.deep.equal([]);
    const taken = await B.claimDue(NOW + LEASE, 10, LEASE);
    expect(taken.map((d) => d.id).sort(), 'A\'s ran out (and B\'s own)').to.deep.equal([...ids].sort());
    expect((await row(ids[0]!)).lease_owner).to.equal(B.owner);
  });

  it('the per-webhook limit counts every owner\'s leases, and a full webhook\'s backlog never hides another', async () => {
    await open(3);
    const ones = await due(hook1, 40, NOW - 100);
    const [two] = await due(hook2, 1);
    const [loose] = await due(null, 1);
    expect((await A.claimDue(NOW, 2, LEASE)).map((d) => d.id)).to.deep.equal(ones.slice(0, 2));
    const b = await B.claimDue(NOW, 10, LEASE);
    expect(b.map((d) => d.id)).to.deep.equal([ones[2], two, loose]);
    expect(await leased(hook1)).to.equal(3);
    expect(await A.claimDue(NOW, 10, LEASE)).to.deep.equal([]);
    const [three] = await due(hook2, 1);
    expect((await A.claimDue(NOW, 10, LEASE)).map((d) => d.id), 'past webhook 1\'s 37 due rows').to.deep.equal([three]);
  });

  it('PostgreSQL: rows another claim has locked are skipped, not waited for (FOR UPDATE SKIP LOCKED)', async function () {
    if (backend.name !== 'postgres') return this.skip();
    await open(16);
    const ids = await due(hook1, 4);
    const other = B as unknown as { db: Kysely<any> };
    await other.db.transaction().execute(async (trx) => {
      // Another process's claim holds the two oldest rows.
      await sql`SELECT id FROM webhook_deliveries WHERE id IN (${ids[0]}, ${ids[1]}) FOR UPDATE`.execute(trx);
      expect((await A.claimDue(NOW, 10, LEASE)).map((d) => d.id)).to.deep.equal(ids.slice(2));
    });
  });

  it('PostgreSQL: a webhook another claim is filling is skipped (its advisory lock), taken once the lock is free', async function () {
    if (backend.name !== 'postgres') return this.skip();
    await open(2);
    const ones = await due(hook1, 3);
    const [two] = await due(hook2, 1);
    const other = B as unknown as { db: Kysely<any> };
    await other.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_KEY}, ${hook1})`.execute(trx);
      expect((await A.claimDue(NOW, 10, LEASE)).map((d) => d.id), 'webhook 1 skipped while locked').to.deep.equal([two]);
    });
    expect((await A.claimDue(NOW, 10, LEASE)).map((d) => d.id), 'then its room (2)').to.deep.equal(ones.slice(0, 2));
  });

  it('concurrent claims of two processes: no delivery leased twice, never more than the limit per webhook', async () => {
    await open(4);
    const all = [...(await due(hook1, 30)), ...(await due(hook2, 30))];
    const claims = Array.from({ length: 8 }, (_, i) => () => (i % 2 ? A : B).claimDue(NOW, 5, LEASE));
    // PostgreSQL: all at once. SQLite: one process per database, one claim at a time (two
    // connections of one thread would wait on each other's IMMEDIATE transaction).
    const got = (backend.name === 'postgres' ? await Promise.all(claims.map((c) => c())) : await sequence(claims)).flat();
    // Claims that met each other skip what the other holds: fewer may be taken, never too many.
    expect(await leased(hook1)).to.be.at.most(4);
    expect(await leased(hook2)).to.be.at.most(4);
    // Once they are done, claims fill each webhook's room exactly.
    for (let more = 1; more > 0; ) {
      const next = await A.claimDue(NOW, 5, LEASE);
      got.push(...next);
      more = next.length;
    }
    const ids = got.map((d) => d.id);
    expect(new Set(ids).size, 'each once').to.equal(ids.length);
    expect(await leased(hook1)).to.equal(4);
    expect(await leased(hook2)).to.equal(4);
    expect(ids.length).to.equal(8);
    expect(ids.every((id) => all.includes(id))).to.equal(true);
  });
});
