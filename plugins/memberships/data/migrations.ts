import { randomBytes } from 'node:crypto';
import type { Migration } from '../../../core/plugin-sdk.js';

export const membershipMigrations: Migration[] = [
  {
    version: 1,
    name: 'products, customers, memberships, payments, domains',
    up(db) {
      db.exec(`
        CREATE TABLE mb_products (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          name TEXT NOT NULL,
          price_cents INTEGER NOT NULL,
          setup_fee_cents INTEGER NOT NULL DEFAULT 0,
          currency TEXT NOT NULL,
          period TEXT NOT NULL,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE mb_customers (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          user_id INTEGER NOT NULL UNIQUE,
          email_verification TEXT NOT NULL,
          verification_token TEXT UNIQUE,
          billing_address TEXT NOT NULL DEFAULT '',
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE mb_memberships (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          customer_id INTEGER NOT NULL REFERENCES mb_customers (id),
          product_id INTEGER NOT NULL REFERENCES mb_products (id),
          status TEXT NOT NULL,
          reference_code TEXT NOT NULL UNIQUE,
          initial_amount_cents INTEGER NOT NULL,
          amount_cents INTEGER NOT NULL,
          currency TEXT NOT NULL,
          gateway TEXT NOT NULL DEFAULT 'manual',
          date_expiration INTEGER,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX mb_memberships_expiration ON mb_memberships (status, date_expiration);
        CREATE TABLE mb_payments (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          membership_id INTEGER NOT NULL REFERENCES mb_memberships (id),
          subtotal_cents INTEGER NOT NULL,
          tax_cents INTEGER NOT NULL,
          total_cents INTEGER NOT NULL,
          currency TEXT NOT NULL,
          status TEXT NOT NULL,
          reference_code TEXT NOT NULL UNIQUE,
          is_renewal INTEGER NOT NULL DEFAULT 0,
          gateway TEXT NOT NULL DEFAULT 'manual',
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX mb_payments_membership ON mb_payments (membership_id, status);
        CREATE TABLE mb_site_memberships (
          site_id INTEGER PRIMARY KEY,
          membership_id INTEGER NOT NULL REFERENCES mb_memberships (id)
        );
        CREATE TABLE mb_domains (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          site_id INTEGER NOT NULL,
          domain TEXT NOT NULL UNIQUE,
          stage TEXT NOT NULL,
          active INTEGER NOT NULL,
          primary_domain INTEGER NOT NULL,
          secure INTEGER NOT NULL,
          created_at INTEGER NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    name: 'a customer’s memberships by id',
    up(db) {
      db.exec('CREATE INDEX mb_memberships_customer ON mb_memberships (customer_id, id)');
    },
  },
  {
    version: 3,
    name: 'unguessable invoice and pay links (access_token, 192 bits)',
    up(db) {
      db.exec('ALTER TABLE mb_payments ADD COLUMN access_token TEXT');
      const set = db.prepare('UPDATE mb_payments SET access_token = ? WHERE id = ?');
      for (const { id } of db.prepare('SELECT id FROM mb_payments').all() as Array<{ id: number }>) set.run(paymentAccessToken(), id);
      db.exec('CREATE UNIQUE INDEX mb_payments_access_token ON mb_payments (access_token)');
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
