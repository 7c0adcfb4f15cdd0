import { randomBytes } from 'node:crypto';
import { withId, type PluginMigration } from '../../../core/plugin-sdk.js';

/**
 * The plugin's schema, in Kysely's schema builder (SQLite and PostgreSQL). Versions 1–3 were
 * raw SQLite SQL before; an installation that applied them keeps them (recorded under
 * `plugin:memberships`), and a new one gets the same tables from these. Times are milliseconds
 * (bigint); money is in cents.
 */
export const membershipMigrations: PluginMigration[] = [
  {
    version: 1,
    name: 'products, customers, memberships, payments, domains',
    async up(db, dialect) {
      await db.schema
        .createTable('mb_products')
        .$call(withId(dialect))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('price_cents', 'integer', (c) => c.notNull())
        .addColumn('setup_fee_cents', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('mb_customers')
        .$call(withId(dialect))
        .addColumn('user_id', 'integer', (c) => c.notNull().unique())
        .addColumn('email_verification', 'text', (c) => c.notNull())
        .addColumn('verification_token', 'text', (c) => c.unique())
        .addColumn('billing_address', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('mb_memberships')
        .$call(withId(dialect))
        .addColumn('customer_id', 'integer', (c) => c.notNull().references('mb_customers.id'))
        .addColumn('product_id', 'integer', (c) => c.notNull().references('mb_products.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reference_code', 'text', (c) => c.notNull().unique())
        .addColumn('initial_amount_cents', 'integer', (c) => c.notNull())
        .addColumn('amount_cents', 'integer', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('gateway', 'text', (c) => c.notNull().defaultTo('manual'))
        .addColumn('date_expiration', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('mb_memberships_expiration').on('mb_memberships').columns(['status', 'date_expiration']).execute();
      await db.schema
        .createTable('mb_payments')
        .$call(withId(dialect))
        .addColumn('membership_id', 'integer', (c) => c.notNull().references('mb_memberships.id'))
        .addColumn('subtotal_cents', 'integer', (c) => c.notNull())
        .addColumn('tax_cents', 'integer', (c) => c.notNull())
        .addColumn('total_cents', 'integer', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reference_code', 'text', (c) => c.notNull().unique())
        .addColumn('is_renewal', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('gateway', 'text', (c) => c.notNull().defaultTo('manual'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('mb_payments_membership').on('mb_payments').columns(['membership_id', 'status']).execute();
      await db.schema
        .createTable('mb_site_memberships')
        .addColumn('site_id', 'integer', (c) => c.primaryKey())
        .addColumn('membership_id', 'integer', (c) => c.notNull().references('mb_memberships.id'))
        .execute();
      await db.schema
        .createTable('mb_domains')
        .$call(withId(dialect))
        .addColumn('site_id', 'integer', (c) => c.notNull())
        .addColumn('domain', 'text', (c) => c.notNull().unique())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('primary_domain', 'integer', (c) => c.notNull())
        .addColumn('secure', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 2,
    name: 'a customer’s memberships by id',
    async up(db) {
      await db.schema.createIndex('mb_memberships_customer').on('mb_memberships').columns(['customer_id', 'id']).execute();
    },
  },
  {
    version: 3,
    name: 'unguessable invoice and pay links (access_token, 192 bits)',
    async up(db) {
      await db.schema.alterTable('mb_payments').addColumn('access_token', 'text').execute();
      for (const { id } of await db.selectFrom('mb_payments').select('id').execute()) {
        await db.updateTable('mb_payments').set({ access_token: paymentAccessToken() }).where('id', '=', id).execute();
      }
      await db.schema.createIndex('mb_payments_access_token').on('mb_payments').column('access_token').unique().execute();
    },
  },
];

/**
 * The secret part of a payment's public invoice and pay links: 24 random bytes (192 bits,
 * base64url, 32 characters) — the 32-bit PAY-XXXXXXXX reference is a label, never a key.
 */
export function paymentAccessToken(): string {
  return randomBytes(24).toString('base64url');
}
