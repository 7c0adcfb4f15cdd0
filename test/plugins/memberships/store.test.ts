import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { migratePlugin } from '../../../core/plugins/plugin-migrations.js';
import { membershipMigrations } from '../../../plugins/memberships/data/migrations.js';
import { MembershipsStore, type MembershipTables, type Membership, type Payment } from '../../../plugins/memberships/data/store.js';
import { forEachBackend } from '../../helpers/backends.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2027, 0, 1);

/** The memberships migrations and data layer, written once in Kysely, on SQLite and PostgreSQL. */
forEachBackend('plugins/memberships: migrations and store', (backend) => {
  async function open(): Promise<MembershipsStore> {
    const t = await backend.open();
    expect(await migratePlugin(t.layer, t.sync, 'plugin:memberships', membershipMigrations)).to.deep.equal([1, 2, 3]);
    return new MembershipsStore(t.layer.db as unknown as Kysely<MembershipTables>);
  }

  async function seed(store: MembershipsStore) {
    const product = await store.insert('mb_products', { name: 'Pro', price_cents: 2900, setup_fee_cents: 0, currency: 'USD', period: 'month', created_at: NOW });
    const customer = await store.insert('mb_customers', { user_id: 7, email_verification: 'none', verification_token: null, billing_address: '', created_at: NOW, updated_at: NOW });
    const membership = (status: string, expires: number | null, ref: string) =>
      store.insert('mb_memberships', { customer_id: customer, product_id: product, status, reference_code: ref, initial_amount_cents: 2900, amount_cents: 2900, currency: 'USD', gateway: 'manual', date_expiration: expires, created_at: NOW, updated_at: NOW });
    return { product, customer, membership };
  }

  it('creates the tables; inserts, reads, lists newest first and counts; times keep their milliseconds', async () => {
    const store = await open();
    const { customer, membership } = await seed(store);
    const a = await membership('active', NOW + 2 * DAY, 'MEM-A');
    const b = await membership('pending', null, 'MEM-B');
    expect(await store.get<Membership>('mb_memberships', a)).to.include({ id: a, status: 'active', date_expiration: NOW + 2 * DAY });
    expect(await store.list<Membership>('mb_memberships', 1, 0)).to.deep.include({ total: 2 });
    expect((await store.list<Membership>('mb_memberships', 10, 0)).items.map((m) => m.id)).to.deep.equal([b, a]);
    expect((await store.latestMembershipOf(customer))?.id).to.equal(b);
    expect(await store.productNames(a)).to.equal('Pro');
    await store.update('mb_memberships', a, { status: 'cancelled', updated_at: NOW + 1 });
    expect((await store.get<Membership>('mb_memberships', a))?.status).to.equal('cancelled');
  });

  it('renewalsDue: active, expiring before the date, without a pending renewal payment; expiredActive', async () => {
    const store = await open();
    const { membership } = await seed(store);
    const due = await membership('active', NOW + DAY, 'MEM-DUE');
    const billed = await membership('active', NOW + DAY, 'MEM-BILLED');
    await membership('active', NOW + 30 * DAY, 'MEM-LATER');
    await membership('cancelled', NOW + DAY, 'MEM-OFF');
    await store.insert('mb_payments', { membership_id: billed, subtotal_cents: 2900, tax_cents: 0, total_cents: 2900, currency: 'USD', status: 'pending', reference_code: 'PAY-1', access_token: 'a'.repeat(32), is_renewal: 1, gateway: 'manual', created_at: NOW, updated_at: NOW });
    expect((await store.renewalsDue(NOW + 3 * DAY)).map((m) => m.id)).to.deep.equal([due]);
    expect((await store.expiredActive(NOW + 2 * DAY)).map((m) => m.id).sort()).to.deep.equal([due, billed].sort());
    expect((await store.paymentByAccessToken('a'.repeat(32)))?.reference_code).to.equal('PAY-1');
  });

  it('linkSite replaces an earlier link; deleteDomainsOfSite removes only that site’s mappings', async () => {
    const store = await open();
    const { membership } = await seed(store);
    const a = await membership('active', null, 'MEM-A');
    const b = await membership('active', null, 'MEM-B');
    await store.linkSite(5, a);
    await store.linkSite(5, b);
    expect(await store.membershipOfSite(5)).to.equal(b);
    for (const [site, domain] of [[5, 'a.example.com'], [5, 'b.example.com'], [6, 'c.example.com']] as const) {
      await store.insert('mb_domains', { site_id: site, domain, stage: 'done', active: 1, primary_domain: 0, secure: 1, created_at: NOW });
    }
    expect(await store.deleteDomainsOfSite(5)).to.equal(2);
    expect((await store.all<{ domain: string }>('mb_domains')).map((d) => d.domain)).to.deep.equal(['c.example.com']);
  });

  it('transaction: a store bound to it commits or rolls back as one, and a nested call joins it', async () => {
    const store = await open();
    const { membership } = await seed(store);
    const m = await membership('active', null, 'MEM-A');
    const pay = (s: MembershipsStore, ref: string) =>
      s.insert('mb_payments', { membership_id: m, subtotal_cents: 1, tax_cents: 0, total_cents: 1, currency: 'USD', status: 'pending', reference_code: ref, access_token: ref.padEnd(32, 'x'), is_renewal: 0, gateway: 'manual', created_at: NOW, updated_at: NOW });
    const failed = await store
      .transaction(async (s) => {
        await pay(s, 'PAY-1');
        await s.transaction((inner) => pay(inner, 'PAY-2'));
        throw new Error('boom');
      })
      .catch((e: Error) => e.message);
    expect(failed).to.equal('boom');
    expect(await store.all<Payment>('mb_payments')).to.deep.equal([]);
    await store.transaction(async (s) => {
      await pay(s, 'PAY-3');
      await s.transaction((inner) => pay(inner, 'PAY-4'));
    });
    expect((await store.all<Payment>('mb_payments')).map((p) => p.reference_code)).to.deep.equal(['PAY-3', 'PAY-4']);
  });
});
