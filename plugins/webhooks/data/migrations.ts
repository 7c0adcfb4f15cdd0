import { sql, withId, type DialectName, type PluginMigration } from '../../../core/plugin-sdk.js';

/**
 * The plugin's schema, in Kysely's schema builder (SQLite and PostgreSQL). Versions 1–5 were raw
 * SQLite SQL before; an installation that applied them keeps them (recorded under
 * `plugin:webhooks`), and a new one gets the same SQLite schema from these — the same columns,
 * types, defaults, keys and (partial) indexes (test/plugins/webhooks/migrations.test.ts compares
 * them). Times are unix milliseconds: INTEGER on SQLite as before, BIGINT on PostgreSQL; flags
 * are 0/1 integers on both. Version 6 and later exist in this form only.
 */
export const webhookMigrations: PluginMigration[] = [
  {
    version: 1,
    name: 'webhooks, events, deliveries, attempts',
    async up(db, dialect) {
      const ms = msType(dialect);
      await db.schema
        .createTable('webhooks')
        .$call(withId(dialect))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('disabled_reason', 'text')
        .addColumn('disabled_at', ms)
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('previous_secret', 'text')
        .addColumn('previous_secret_expires', ms)
        .addColumn('event_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_status', 'text')
        .addColumn('last_http_status', 'integer')
        .addColumn('last_delivery_at', ms)
        .addColumn('failing_since', ms)
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhooks_event_active').on('webhooks').columns(['event', 'active']).execute();

      // The payload snapshot, taken when the event happened: the exact body sent to every
      // webhook and at every attempt.
      await db.schema
        .createTable('webhook_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('is_test', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('webhook_deliveries')
        .$call(withId(dialect))
        .addColumn('msg_id', 'text', (c) => c.notNull().unique())
        .addColumn('webhook_id', 'integer', (c) => c.references('webhooks.id').onDelete('cascade'))
        .addColumn('event_id', 'text', (c) => c.notNull().references('webhook_events.id').onDelete('cascade'))
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('is_test', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('next_trigger', 'text', (c) => c.notNull().defaultTo('event'))
        .addColumn('next_attempt_at', ms)
        .addColumn('lease_until', ms)
        .addColumn('last_attempt_at', ms)
        .addColumn('last_http_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('deliveries_due').on('webhook_deliveries').column('next_attempt_at').where(sql.ref('status'), '=', 'pending').execute();
      await db.schema.createIndex('deliveries_webhook').on('webhook_deliveries').columns(['webhook_id', 'id']).execute();
      await db.schema.createIndex('deliveries_status').on('webhook_deliveries').columns(['status', 'id']).execute();
      await db.schema.createIndex('deliveries_event').on('webhook_deliveries').column('event_id').execute();

      await db.schema
        .createTable('webhook_attempts')
        .$call(withId(dialect))
        .addColumn('delivery_id', 'integer', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
        .addColumn('webhook_id', 'integer')
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('attempted_at', ms, (c) => c.notNull())
        .addColumn('request_url', 'text', (c) => c.notNull())
        .addColumn('request_headers', 'text', (c) => c.notNull())
        .addColumn('response_status', 'integer')
        .addColumn('response_headers', 'text')
        .addColumn('response_body', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('success', 'integer', (c) => c.notNull())
        .addColumn('error_class', 'text')
        .addColumn('error_message', 'text')
        .execute();
      await db.schema.createIndex('attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'id']).execute();
      await db.schema.createIndex('attempts_webhook_time').on('webhook_attempts').columns(['webhook_id', 'attempted_at']).execute();
      await db.schema.createIndex('attempts_time').on('webhook_attempts').column('attempted_at').execute();
    },
  },
  {
    version: 2,
    name: 'attempt outcomes for health charts; request inspector',
    async up(db, dialect) {
      const ms = msType(dialect);
      // What an attempt led to: success, a retry, or the delivery's final failure.
      await db.schema.alterTable('webhook_attempts').addColumn('outcome', 'text').execute();
      await db
        .updateTable('webhook_attempts')
        .set((eb) => ({ outcome: eb.case().when('success', '=', 1).then('success').else('failed').end() }))
        .execute();
      // Covering indexes: health charts aggregate without touching the table rows.
      await db.schema.dropIndex('attempts_webhook_time').execute();
      await db.schema.createIndex('attempts_webhook_health').on('webhook_attempts').columns(['webhook_id', 'attempted_at', 'outcome', 'duration_ms']).execute();
      await db.schema.dropIndex('attempts_time').execute();
      await db.schema.createIndex('attempts_time_health').on('webhook_attempts').columns(['attempted_at', 'outcome']).execute();
      await db.schema
        .createIndex('deliveries_retrying')
        .on('webhook_deliveries')
        .column('webhook_id')
        .where(sql.ref('status'), '=', 'pending')
        .where(sql.ref('attempts'), '>', 0)
        .execute();

      await db.schema
        .createTable('webhook_inspector_inboxes')
        .addColumn('token', 'text', (c) => c.primaryKey())
        .addColumn('created_by', 'integer')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('webhook_inspector_requests')
        .$call(withId(dialect))
        .addColumn('token', 'text', (c) => c.notNull().references('webhook_inspector_inboxes.token').onDelete('cascade'))
        .addColumn('received_at', ms, (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('headers', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('source_ip', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('inspector_requests_token').on('webhook_inspector_requests').columns(['token', 'id']).execute();
    },
  },
  {
    version: 3,
    name: 'webhook health recorded conditionally: the newest success',
    async up(db, dialect) {
      // Start time of the newest successful attempt: an older failure finishing later never
      // reopens the failure window a newer success closed (see DeliveriesStore.recordAttempts).
      await db.schema.alterTable('webhooks').addColumn('last_success_at', msType(dialect)).execute();
      await db
        .updateTable('webhooks')
        .set((eb) => ({ last_success_at: eb.ref('last_delivery_at') }))
        .where('last_status', '=', 'success')
        .execute();
    },
  },
  {
    version: 4,
    name: 'webhook integration, hidden flag and custom headers',
    async up(db) {
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      await db.schema.alterTable('webhooks').addColumn('integration', 'text', (c) => c.notNull().defaultTo('manual')).execute();
      await db.schema.alterTable('webhooks').addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('webhooks').addColumn('headers', 'text', (c) => c.notNull().defaultTo('[]')).execute();
    },
  },
  {
    version: 5,
    name: 'delivery leases name their owner; leased rows indexed per webhook',
    async up(db) {
      // The worker (host:pid:random) that holds or last held the delivery's lease: a worker
      // releases and records only its own (see DeliveriesStore.claimDue / recordAttempt).
      await db.schema.alterTable('webhook_deliveries').addColumn('lease_owner', 'text').execute();
      // The claim keeps the per-endpoint limit across processes (DeliveriesStore.claimDue,
      // LeaseClaims): it counts the leases held now per webhook (any owner), then walks the due
      // rows in due order with their webhook from the due index alone, skipping webhooks at their
      // limit inside the index scan (no table reads).
      await db.schema
        .createIndex('deliveries_leased')
        .on('webhook_deliveries')
        .columns(['webhook_id', 'lease_until'])
        .where(sql.ref('status'), '=', 'pending')
        .where(sql.ref('lease_until'), 'is not', null)
        .execute();
      await db.schema.dropIndex('deliveries_due').execute();
      await db.schema
        .createIndex('deliveries_due')
        .on('webhook_deliveries')
        .columns(['next_attempt_at', 'webhook_id'])
        .where(sql.ref('status'), '=', 'pending')
        .execute();
    },
  },
  {
    version: 6,
    name: 'inspector request bodies stored as bytes',
    async up(db, dialect) {
      // A received body is bytes, kept exactly for the signature check and the raw view: as
      // text, PostgreSQL turned invalid UTF-8 into U+FFFD and could not hold NUL at all. The
      // rows already stored keep their text as its UTF-8 bytes (what was received, unless it
      // was not UTF-8: that was lost when it was stored).
      if (dialect === 'postgres') {
        await sql`ALTER TABLE webhook_inspector_requests ALTER COLUMN body TYPE bytea USING convert_to(body, 'UTF8')`.execute(db);
        return;
      }
      // SQLite cannot change a column's type: a BLOB column takes the bytes, then the name.
      // (Its default only serves ADD COLUMN, which needs one for NOT NULL; every insert sets it.)
      await db.schema
        .alterTable('webhook_inspector_requests')
        .addColumn('body_bytes', 'blob', (c) => c.notNull().defaultTo(sql`x''`))
        .execute();
      await db.updateTable('webhook_inspector_requests').set({ body_bytes: sql`CAST(body AS BLOB)` }).execute();
      await db.schema.alterTable('webhook_inspector_requests').dropColumn('body').execute();
      await db.schema.alterTable('webhook_inspector_requests').renameColumn('body_bytes', 'body').execute();
    },
  },
];

/**
 * The column type of a time in unix milliseconds: INTEGER on SQLite (64-bit already, and the
 * type the raw-SQL migrations declared), BIGINT on PostgreSQL (its INTEGER is 32-bit).
 */
function msType(dialect: DialectName): 'integer' | 'bigint' {
  return dialect === 'postgres' ? 'bigint' : 'integer';
}
