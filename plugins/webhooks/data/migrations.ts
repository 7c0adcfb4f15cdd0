import type { Migration } from '../../../core/plugin-sdk.js';

export const webhookMigrations: Migration[] = [
  {
    version: 1,
    name: 'webhooks, events, deliveries, attempts',
    up(db) {
      db.exec(`
        CREATE TABLE webhooks (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          name TEXT NOT NULL,
          url TEXT NOT NULL,
          event TEXT NOT NULL,
          active INTEGER NOT NULL DEFAULT 1,
          disabled_reason TEXT,
          disabled_at INTEGER,
          secret TEXT NOT NULL,
          previous_secret TEXT,
          previous_secret_expires INTEGER,
          event_count INTEGER NOT NULL DEFAULT 0,
          last_status TEXT,
          last_http_status INTEGER,
          last_delivery_at INTEGER,
          failing_since INTEGER,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX webhooks_event_active ON webhooks (event, active);

        -- The payload snapshot, taken when the event happened: the exact body sent to every
        -- webhook and at every attempt.
        CREATE TABLE webhook_events (
          id TEXT PRIMARY KEY,
          event TEXT NOT NULL,
          body TEXT NOT NULL,
          is_test INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL
        );

        CREATE TABLE webhook_deliveries (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          msg_id TEXT NOT NULL UNIQUE,
          webhook_id INTEGER REFERENCES webhooks (id) ON DELETE CASCADE,
          event_id TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
          event TEXT NOT NULL,
          url TEXT NOT NULL,
          status TEXT NOT NULL,
          is_test INTEGER NOT NULL DEFAULT 0,
          attempts INTEGER NOT NULL DEFAULT 0,
          max_attempts INTEGER NOT NULL,
          next_trigger TEXT NOT NULL DEFAULT 'event',
          next_attempt_at INTEGER,
          lease_until INTEGER,
          last_attempt_at INTEGER,
          last_http_status INTEGER,
          last_error TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX deliveries_webhook ON webhook_deliveries (webhook_id, id);
        CREATE INDEX deliveries_status ON webhook_deliveries (status, id);
        CREATE INDEX deliveries_event ON webhook_deliveries (event_id);

        CREATE TABLE webhook_attempts (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
          webhook_id INTEGER,
          trigger TEXT NOT NULL,
          attempted_at INTEGER NOT NULL,
          request_url TEXT NOT NULL,
          request_headers TEXT NOT NULL,
          response_status INTEGER,
          response_headers TEXT,
          response_body TEXT,
          duration_ms INTEGER NOT NULL,
          success INTEGER NOT NULL,
          error_class TEXT,
          error_message TEXT
        );
        CREATE INDEX attempts_delivery ON webhook_attempts (delivery_id, id);
        CREATE INDEX attempts_webhook_time ON webhook_attempts (webhook_id, attempted_at);
        CREATE INDEX attempts_time ON webhook_attempts (attempted_at);
      `);
    },
  },
  {
    version: 2,
    name: 'attempt outcomes for health charts; request inspector',
    up(db) {
      db.exec(`
        -- What an attempt led to: success, a retry, or the delivery's final failure.
        ALTER TABLE webhook_attempts ADD COLUMN outcome TEXT;
        UPDATE webhook_attempts SET outcome = CASE WHEN success = 1 THEN 'success' ELSE 'failed' END;
        -- Covering indexes: health charts aggregate without touching the table rows.
        DROP INDEX attempts_webhook_time;
        CREATE INDEX attempts_webhook_health ON webhook_attempts (webhook_id, attempted_at, outcome, duration_ms);
        DROP INDEX attempts_time;
        CREATE INDEX attempts_time_health ON webhook_attempts (attempted_at, outcome);
        CREATE INDEX deliveries_retrying ON webhook_deliveries (webhook_id) WHERE status = 'pending' AND attempts > 0;

        CREATE TABLE webhook_inspector_inboxes (
          token TEXT PRIMARY KEY,
          created_by INTEGER,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
        CREATE TABLE webhook_inspector_requests (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          token TEXT NOT NULL REFERENCES webhook_inspector_inboxes (token) ON DELETE CASCADE,
          received_at INTEGER NOT NULL,
          method TEXT NOT NULL,
          headers TEXT NOT NULL,
          body TEXT NOT NULL,
          source_ip TEXT NOT NULL
        );
        CREATE INDEX inspector_requests_token ON webhook_inspector_requests (token, id);
      `);
    },
  },
  {
    version: 3,
    name: 'webhook health recorded conditionally: the newest success',
    up(db) {
      db.exec(`
        -- Start time of the newest successful attempt: an older failure finishing later never
        -- reopens the failure window a newer success closed (see DeliveriesStore.recordAttempts).
        ALTER TABLE webhooks ADD COLUMN last_success_at INTEGER;
        UPDATE webhooks SET last_success_at = last_delivery_at WHERE last_status = 'success';
      `);
    },
  },
  {
    version: 4,
    name: 'webhook integration, hidden flag and custom headers',
    up(db) {
      db.exec(`
        ALTER TABLE webhooks ADD COLUMN integration TEXT NOT NULL DEFAULT 'manual';
        ALTER TABLE webhooks ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE webhooks ADD COLUMN headers TEXT NOT NULL DEFAULT '[]';
      `);
    },
  },
  {
    version: 5,
    name: 'delivery leases name their owner; leased rows indexed per webhook',
    up(db) {
      db.exec(`
        -- The worker (host:pid:random) that holds or last held the delivery's lease: a worker
        -- releases and records only its own (see DeliveriesStore.claimDue / recordAttempt).
        ALTER TABLE webhook_deliveries ADD COLUMN lease_owner TEXT;
        -- The claim keeps the per-endpoint limit across processes (DeliveriesStore.claimDue): it
        -- counts the leases held now per webhook (any owner), then walks the due rows in due
        -- order with their webhook from the due index alone, skipping webhooks at their limit
        -- inside the index scan (no table reads).
        CREATE INDEX deliveries_leased ON webhook_deliveries (webhook_id, lease_until) WHERE status = 'pending' AND lease_until IS NOT NULL;
        DROP INDEX deliveries_due;
        CREATE INDEX deliveries_due ON webhook_deliveries (next_attempt_at, webhook_id) WHERE status = 'pending';
      `);
    },
  },
];
