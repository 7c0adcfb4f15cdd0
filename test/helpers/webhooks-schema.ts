import { sql, type Kysely } from 'kysely';
import { migrate } from '../../core/db/migrations.js';
import { withId } from '../../core/db/schema-migrations.js';
import { webhookMigrations } from '../../plugins/webhooks/data/migrations.js';
import type { TestDb } from './backends.js';

/**
 * The webhooks plugin's delivery tables on a test database. SQLite: the plugin's own migrations
 * (the real schema). PostgreSQL (the plugin's migrations are SQLite-only so far): the same
 * columns (flags as 0/1 integers, millisecond times as BIGINT), keys and indexes, until the
 * migrations are written with the schema builder; then this helper becomes `api.migrate`.
 */
export async function webhooksSchema(t: TestDb): Promise<void> {
  if (t.dialect === 'sqlite') return void migrate(t.sync!, 'webhooks', webhookMigrations);
  const db = t.layer.db as Kysely<any>;
  const ms = 'bigint';
  await db.schema
    .createTable('webhooks')
    .$call(withId('postgres'))
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
    .addColumn('last_success_at', ms)
    .addColumn('integration', 'text', (c) => c.notNull().defaultTo('manual'))
    .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('headers', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
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
    .$call(withId('postgres'))
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
    .addColumn('lease_owner', 'text')
    .execute();
  await db.schema.createIndex('deliveries_due').on('webhook_deliveries').columns(['next_attempt_at', 'webhook_id']).where(sql.ref('status'), '=', 'pending').execute();
  await db.schema.createIndex('deliveries_leased').on('webhook_deliveries').columns(['webhook_id', 'lease_until']).where(sql.ref('status'), '=', 'pending').where(sql.ref('lease_until'), 'is not', null).execute();
  await db.schema.createIndex('deliveries_event').on('webhook_deliveries').column('event_id').execute();
  await db.schema
    .createTable('webhook_attempts')
    .$call(withId('postgres'))
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
    .addColumn('outcome', 'text')
    .execute();
  await db.schema.createIndex('attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'id']).execute();
  await db.schema.createIndex('attempts_webhook_health').on('webhook_attempts').columns(['webhook_id', 'attempted_at', 'outcome', 'duration_ms']).execute();
}
