import type { Generated, Kysely } from '../../../core/plugin-sdk.js';

export interface Product { id: number; name: string; price_cents: number; setup_fee_cents: number; currency: string; period: string; created_at: number }
export interface Customer { id: number; user_id: number; email_verification: string; verification_token: string | null; billing_address: string; created_at: number; updated_at: number }
export interface Membership {
  id: number; customer_id: number; product_id: number; status: string; reference_code: string; initial_amount_cents: number; amount_cents: number;
  currency: string; gateway: string; date_expiration: number | null; created_at: number; updated_at: number;
}
export interface Payment {
  id: number; membership_id: number; subtotal_cents: number; tax_cents: number; total_cents: number; currency: string; status: string;
  reference_code: string; is_renewal: number; gateway: string; created_at: number; updated_at: number;
  /** The secret of the public invoice / pay links (see paymentAccessToken). */
  access_token?: string | null;
}
export interface Domain { id: number; site_id: number; domain: string; stage: string; active: number; primary_domain: number; secure: number; created_at: number }

/** A table's row type with its auto-increment `id` generated (optional on insert). */
type Table<Row extends { id: number }> = Omit<Row, 'id'> & { id: Generated<number> };

/** The plugin's tables as Kysely sees them (`api.db` typed with them). */
export interface MembershipTables {
  mb_products: Table<Product>;
  mb_customers: Table<Customer>;
  mb_memberships: Table<Membership>;
  mb_payments: Table<Payment>;
  mb_domains: Table<Domain>;
  mb_site_memberships: { site_id: number; membership_id: number };
}

type TableName = 'mb_products' | 'mb_customers' | 'mb_memberships' | 'mb_payments' | 'mb_domains';

/**
 * Data layer of the memberships plugin: every query it runs is here, written once with Kysely
 * for SQLite and PostgreSQL. A store is bound to an executor — `api.db`, or a transaction:
 * `transaction(fn)` hands `fn` a store bound to the transaction (and joins an open one).
 */
export class MembershipsStore {
  constructor(private readonly db: Kysely<MembershipTables>) {}

  /** The generic queries take any of the plugin's tables: typed by the caller, as rows were before. */
  private get any(): Kysely<any> {
    return this.db as Kysely<any>;
  }

  /**
   * Runs `fn` with a store bound to a transaction: everything it writes, and every event fired
   * (do_action) while it runs, commits together or not at all. Inside a transaction already,
   * `fn` joins it (Kysely refuses nested transactions).
   */
  transaction<T>(fn: (store: MembershipsStore) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new MembershipsStore(trx)));
  }

  /** Inserts a row; resolves to its new id. */
  async insert<T extends object>(table: TableName, row: T): Promise<number> {
    const r = await this.any.insertInto(table).values(row).returning('id').executeTakeFirstOrThrow();
    return Number(r.id);
  }

  async update(table: TableName, id: number, patch: Record<string, unknown>): Promise<void> {
    await this.any.updateTable(table).set(patch).where('id', '=', id).execute();
  }

  async get<T>(table: TableName, id: number): Promise<T | undefined> {
    return (await this.any.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst()) as T | undefined;
  }

  async list<T>(table: TableName, limit: number, offset: number): Promise<{ items: T[]; total: number }> {
    const items = (await this.any.selectFrom(table).selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute()) as T[];
    const { n } = await this.any.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return { items, total: Number(n) };
  }

  async all<T>(table: TableName): Promise<T[]> {
    return (await this.any.selectFrom(table).selectAll().orderBy('id').execute()) as T[];
  }

  async customerByUser(userId: number): Promise<Customer | undefined> {
    return this.db.selectFrom('mb_customers').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  async latestMembershipOf(customerId: number): Promise<Membership | undefined> {
    return this.db.selectFrom('mb_memberships').selectAll().where('customer_id', '=', customerId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  }

  async customerByToken(token: string): Promise<Customer | undefined> {
    return this.db.selectFrom('mb_customers').selectAll().where('verification_token', '=', token).executeTakeFirst();
  }

  /** The payment whose public links carry this access token. */
  async paymentByAccessToken(token: string): Promise<Payment | undefined> {
    return this.db.selectFrom('mb_payments').selectAll().where('access_token', '=', token).executeTakeFirst();
  }

  async paymentByReference(ref: string): Promise<Payment | undefined> {
    return this.db.selectFrom('mb_payments').selectAll().where('reference_code', '=', ref).executeTakeFirst();
  }

  /** Removes the domain mappings of a deleted site; resolves to how many. */
  async deleteDomainsOfSite(siteId: number): Promise<number> {
    const r = await this.db.deleteFrom('mb_domains').where('site_id', '=', siteId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** How many memberships a customer has, and how many payments of those memberships there are. */
  async customerRecordCounts(customerId: number): Promise<{ memberships: number; payments: number }> {
    const m = await this.db.selectFrom('mb_memberships').select((eb) => eb.fn.countAll().as('n')).where('customer_id', '=', customerId).executeTakeFirstOrThrow();
    const p = await this.db
      .selectFrom('mb_payments as p')
      .innerJoin('mb_memberships as m', 'm.id', 'p.membership_id')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('m.customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    return { memberships: Number(m.n), payments: Number(p.n) };
  }

  /** The domains mapped to a site, oldest first. */
  async domainsOfSite(siteId: number): Promise<string[]> {
    return (await this.db.selectFrom('mb_domains').select('domain').where('site_id', '=', siteId).orderBy('id').execute()).map((d) => d.domain);
  }

  async domainByName(domain: string): Promise<Domain | undefined> {
    return this.db.selectFrom('mb_domains').selectAll().where('domain', '=', domain).executeTakeFirst();
  }

  /** Active memberships expiring before `until` that have no pending renewal payment yet. */
  async renewalsDue(until: number): Promise<Membership[]> {
    return this.db
      .selectFrom('mb_memberships as m')
      .selectAll('m')
      .where('m.status', '=', 'active')
      .where('m.date_expiration', 'is not', null)
      .where('m.date_expiration', '<=', until)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('mb_payments as p').select('p.id').whereRef('p.membership_id', '=', 'm.id').where('p.is_renewal', '=', 1).where('p.status', '=', 'pending'))),
      )
      .execute();
  }

  async expiredActive(now: number): Promise<Membership[]> {
    return this.db.selectFrom('mb_memberships').selectAll().where('status', '=', 'active').where('date_expiration', 'is not', null).where('date_expiration', '<', now).execute();
  }

  /** Records which membership a site belongs to (replacing an earlier link). */
  async linkSite(siteId: number, membershipId: number): Promise<void> {
    await this.db
      .insertInto('mb_site_memberships')
      .values({ site_id: siteId, membership_id: membershipId })
      .onConflict((oc) => oc.column('site_id').doUpdateSet({ membership_id: membershipId }))
      .execute();
  }

  async membershipOfSite(siteId: number): Promise<number | undefined> {
    return (await this.db.selectFrom('mb_site_memberships').select('membership_id').where('site_id', '=', siteId).executeTakeFirst())?.membership_id;
  }

  /** The product name of a membership ('' when it has none). */
  async productNames(membershipId: number): Promise<string> {
    const row = await this.db
      .selectFrom('mb_products as p')
      .innerJoin('mb_memberships as m', 'm.product_id', 'p.id')
      .select('p.name')
      .where('m.id', '=', membershipId)
      .executeTakeFirst();
    return row?.name ?? '';
  }
}
