import type { Db } from '../../../core/plugin-sdk.js';

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

type Table = 'mb_products' | 'mb_customers' | 'mb_memberships' | 'mb_payments' | 'mb_domains';

/** Data layer of the memberships plugin: every SQL statement it runs is here. */
export class MembershipsStore {
  constructor(private readonly db: Db) {}

  insert<T extends object>(table: Table, row: T): number {
    const keys = Object.keys(row);
    return Number(this.db.prepare(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`).run(row).lastInsertRowid);
  }

  update(table: Table, id: number, patch: Record<string, unknown>): void {
    const keys = Object.keys(patch);
    this.db.prepare(`UPDATE ${table} SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`).run({ ...patch, id });
  }

  get<T>(table: Table, id: number): T | undefined {
    return this.db.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(id) as T | undefined;
  }

  list<T>(table: Table, limit: number, offset: number): { items: T[]; total: number } {
    const items = this.db.prepare(`SELECT * FROM ${table} ORDER BY id DESC LIMIT ? OFFSET ?`).all(limit, offset) as T[];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { items, total };
  }

  all<T>(table: Table): T[] {
    return this.db.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as T[];
  }

  customerByUser(userId: number): Customer | undefined {
    return this.db.prepare('SELECT * FROM mb_customers WHERE user_id = ?').get(userId) as Customer | undefined;
  }

  latestMembershipOf(customerId: number): Membership | undefined {
    return this.db.prepare('SELECT * FROM mb_memberships WHERE customer_id = ? ORDER BY id DESC LIMIT 1').get(customerId) as Membership | undefined;
  }

  customerByToken(token: string): Customer | undefined {
    return this.db.prepare('SELECT * FROM mb_customers WHERE verification_token = ?').get(token) as Customer | undefined;
  }

  /** The payment whose public links carry this access token. */
  paymentByAccessToken(token: string): Payment | undefined {
    return this.db.prepare('SELECT * FROM mb_payments WHERE access_token = ?').get(token) as Payment | undefined;
  }

  paymentByReference(ref: string): Payment | undefined {
    return this.db.prepare('SELECT * FROM mb_payments WHERE reference_code = ?').get(ref) as Payment | undefined;
  }

  /** Removes the domain mappings of a deleted site; returns how many. */
  deleteDomainsOfSite(siteId: number): number {
    return this.db.prepare('DELETE FROM mb_domains WHERE site_id = ?').run(siteId).changes;
  }

  domainByName(domain: string): Domain | undefined {
    return this.db.prepare('SELECT * FROM mb_domains WHERE domain = ?').get(domain) as Domain | undefined;
  }

  /** Active memberships expiring before `until` that have no pending renewal payment yet. */
  renewalsDue(until: number): Membership[] {
    return this.db
      .prepare(
        `SELECT m.* FROM mb_memberships m WHERE m.status = 'active' AND m.date_expiration IS NOT NULL AND m.date_expiration <= ?
           AND NOT EXISTS (SELECT 1 FROM mb_payments p WHERE p.membership_id = m.id AND p.is_renewal = 1 AND p.status = 'pending')`,
      )
      .all(until) as Membership[];
  }

  expiredActive(now: number): Membership[] {
    return this.db.prepare("SELECT * FROM mb_memberships WHERE status = 'active' AND date_expiration IS NOT NULL AND date_expiration < ?").all(now) as Membership[];
  }

  linkSite(siteId: number, membershipId: number): void {
    this.db.prepare('INSERT OR REPLACE INTO mb_site_memberships (site_id, membership_id) VALUES (?, ?)').run(siteId, membershipId);
  }

  membershipOfSite(siteId: number): number | undefined {
    return (this.db.prepare('SELECT membership_id FROM mb_site_memberships WHERE site_id = ?').get(siteId) as { membership_id: number } | undefined)?.membership_id;
  }

  productNames(membershipId: number): string {
    return (
      (this.db.prepare('SELECT p.name FROM mb_products p JOIN mb_memberships m ON m.product_id = p.id WHERE m.id = ?').get(membershipId) as { name: string } | undefined)?.name ?? ''
    );
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
