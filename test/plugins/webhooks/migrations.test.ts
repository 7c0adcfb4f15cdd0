import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { openDatabase, type Db } from '../../../core/db/database.js';
import { sqliteQueryLayer } from '../../../core/db/query-layer.js';
import { migratePlugin } from '../../../core/plugins/plugin-migrations.js';
import { webhookMigrations } from '../../../plugins/webhooks/data/migrations.js';
import { legacyWebhookMigrations } from '../../fixtures/webhooks-legacy-migrations.js';
import { firstPassOnly } from '../../helpers/app.js';
import { forEachBackend } from '../../helpers/backends.js';
import { makeWebhooksApp } from '../../helpers/webhooks.js';
import { sqliteSchema, WEBHOOKS_OWNER, webhooksSchema, webhooksSchemaOnSqlite } from '../../helpers/webhooks-schema.js';

/** A new SQLite database (in memory, or in `dataDir`) with the raw-SQL (pre-port) migrations up to `upTo` applied as the host applied them. */
async function legacyInstall(upTo = 5, dataDir = ':memory:'): Promise<Db> {
  const db = openDatabase(dataDir);
  const layer = sqliteQueryLayer(db);
  await migratePlugin(layer, db, WEBHOOKS_OWNER, legacyWebhookMigrations.filter((m) => m.version <= upTo));
  await layer.close();
  return db;
}

/** The last version that existed as raw SQL; later ones exist in Kysely's form only. */
const LAST_RAW_SQL = 5;
/** Every version of the plugin's schema. */
const ALL = webhookMigrations.map((m) => m.version);
const after = (v: number) => ALL.filter((x) => x > v);

const recorded = (db: Db) => (db.prepare('SELECT version FROM schema_migrations WHERE owner = ? ORDER BY version').all(WEBHOOKS_OWNER) as Array<{ version: number }>).map((r) => r.version);

describe('plugins/webhooks migrations (Kysely form) against the raw-SQL ones they replace, on SQLite', () => {
  // Both sides are SQLite databases of its own, whichever the pass.
  firstPassOnly();
  const open: Db[] = [];
  afterEach(() => open.splice(0).forEach((db) => db.close()));
  const track = (db: Db) => (open.push(db), db);

  it('keep the version numbers and names of the raw-SQL migrations', () => {
    expect(webhookMigrations.filter((m) => m.version <= LAST_RAW_SQL).map((m) => [m.version, m.name])).to.deep.equal(legacyWebhookMigrations.map((m) => [m.version, m.name]));
  });

  it('build the same SQLite schema: columns, types, defaults, keys, foreign keys, indexes and partial-index predicates', async () => {
    const legacy = track(await legacyInstall());
    expect(await webhooksSchemaOnSqlite(legacy), 'the versions after the raw-SQL ones').to.deep.equal(after(LAST_RAW_SQL));
    const fresh = track(openDatabase(':memory:'));
    expect(await webhooksSchemaOnSqlite(fresh)).to.deep.equal(ALL);
    const want = sqliteSchema(legacy);
    expect(sqliteSchema(fresh)).to.deep.equal(want);
    // The comparison has teeth: the partial indexes and their predicates are part of it.
    const deliveries = (want.tables as Record<string, { indexes: Array<{ name: string; where: string | null; columns: string[] }> }>).webhook_deliveries!;
    expect(deliveries.indexes.filter((i) => i.where)).to.deep.equal([
      { name: 'deliveries_due', unique: 0, origin: 'c', partial: 1, columns: ['next_attempt_at', 'webhook_id'], where: "status = 'pending'" },
      { name: 'deliveries_leased', unique: 0, origin: 'c', partial: 1, columns: ['webhook_id', 'lease_until'], where: "status = 'pending' and lease_until is not null" },
      { name: 'deliveries_retrying', unique: 0, origin: 'c', partial: 1, columns: ['webhook_id'], where: "status = 'pending' and attempts > 0" },
    ]);
    expect(Object.keys(want.tables as object)).to.have.members(['webhooks', 'webhook_events', 'webhook_deliveries', 'webhook_attempts', 'webhook_inspector_inboxes', 'webhook_inspector_requests']);
  });

  it('an installation migrated with the raw-SQL versions skips them all: only the later versions run', async () => {
    const db = track(await legacyInstall());
    const fresh = track(openDatabase(':memory:'));
    await webhooksSchemaOnSqlite(fresh);
    db.prepare("INSERT INTO webhooks (name, url, event, secret, created_at, updated_at) VALUES ('Kept', 'http://127.0.0.1:9/', 'payment_received', 'whsec_x', 1, 1)").run();
    expect(await webhooksSchemaOnSqlite(db)).to.deep.equal(after(LAST_RAW_SQL));
    expect(sqliteSchema(db)).to.deep.equal(sqliteSchema(fresh));
    expect(recorded(db)).to.deep.equal(ALL);
    expect(db.prepare('SELECT name FROM webhooks').all()).to.deep.equal([{ name: 'Kept' }]);
  });

  for (const upTo of [1, 2, 3, 4]) {
    it(`an installation at raw-SQL version ${upTo} upgrades with the Kysely versions after it, its rows kept and backfilled`, async () => {
      const db = track(await legacyInstall(upTo));
      // Rows written by the old version, before the upgrade.
      const hook = db.prepare("INSERT INTO webhooks (name, url, event, secret, last_status, last_delivery_at, created_at, updated_at) VALUES ('Old', 'http://127.0.0.1:9/', 'payment_received', 'whsec_x', 'success', 4242, 1, 1)").run();
      db.prepare("INSERT INTO webhook_events (id, event, body, created_at) VALUES ('evt_1', 'payment_received', '{}', 1)").run();
      const delivery = db
        .prepare("INSERT INTO webhook_deliveries (msg_id, webhook_id, event_id, event, url, status, attempts, max_attempts, next_attempt_at, created_at, updated_at) VALUES ('msg_1', ?, 'evt_1', 'payment_received', 'http://127.0.0.1:9/', 'pending', 1, 8, 5, 1, 1)")
        .run(hook.lastInsertRowid);
      const attempt = db.prepare("INSERT INTO webhook_attempts (delivery_id, webhook_id, trigger, attempted_at, request_url, request_headers, duration_ms, success) VALUES (?, ?, 'event', 2, 'u', '{}', 7, ?)");
      attempt.run(delivery.lastInsertRowid, hook.lastInsertRowid, 1);
      attempt.run(delivery.lastInsertRowid, hook.lastInsertRowid, 0);

      expect(await webhooksSchemaOnSqlite(db)).to.deep.equal(after(upTo));
      expect(recorded(db)).to.deep.equal(ALL);
      const fresh = track(openDatabase(':memory:'));
      await webhooksSchemaOnSqlite(fresh);
      expect(sqliteSchema(db)).to.deep.equal(sqliteSchema(fresh));
      const row = db.prepare('SELECT name, integration, hidden, headers, last_success_at FROM webhooks').get();
      // v3 backfills the newest success from the last delivery (only when it ran after the row was written).
      expect(row).to.deep.equal({ name: 'Old', integration: 'manual', hidden: 0, headers: '[]', last_success_at: upTo < 3 ? 4242 : null });
      if (upTo < 2) {
        // v2 backfills each attempt's outcome from its success flag.
        expect(db.prepare('SELECT success, outcome FROM webhook_attempts ORDER BY id').all()).to.deep.equal([
          { success: 1, outcome: 'success' },
          { success: 0, outcome: 'failed' },
        ]);
      }
      expect(db.prepare('SELECT msg_id, lease_owner FROM webhook_deliveries').get()).to.deep.equal({ msg_id: 'msg_1', lease_owner: null });
    });
  }
});

describe('plugins/webhooks: a host started on a data directory migrated by the raw-SQL versions', () => {
  // Its hosts run on SQLite data directories of its own (the raw-SQL versions are SQLite only), whichever the pass.
  firstPassOnly();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-wh-upgrade-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const upTo of [4, 5]) {
    it(`loads the plugin on it (raw-SQL version ${upTo}): the rows stay, the later versions apply once, events are delivered into it`, async () => {
      const legacy = await legacyInstall(upTo, dir);
      legacy.prepare("INSERT INTO webhooks (name, url, event, active, secret, created_at, updated_at) VALUES ('Old', 'http://127.0.0.1:9/old', 'payment_received', 0, 'whsec_x', 1, 1)").run();
      const appliedBefore = legacy.prepare('SELECT version, applied_at FROM schema_migrations WHERE owner = ? ORDER BY version').all(WEBHOOKS_OWNER);
      legacy.close();

      const w = await makeWebhooksApp({}, { dataDir: dir });
      try {
        const records = w.hp.db.prepare('SELECT version, applied_at FROM schema_migrations WHERE owner = ? ORDER BY version').all(WEBHOOKS_OWNER) as Array<{ version: number }>;
        expect(records.slice(0, upTo), 'the raw-SQL records are kept as they were').to.deep.equal(appliedBefore);
        expect(records.map((r) => r.version)).to.deep.equal(ALL);
        expect(w.service.webhooks.get(1)).to.deep.include({ name: 'Old', active: false, integration: 'manual', hidden: false, headers: [] });
        const hook = await w.api.async.create_webhook({ name: 'New', url: 'http://127.0.0.1:9/new', event: 'payment_received' });
        expect(w.service.wu_do_event('payment_received', { amount: 1 })).to.be.a('string');
        const deliveries = w.hp.db.prepare('SELECT webhook_id, status FROM webhook_deliveries').all();
        expect(deliveries, 'one delivery, to the active webhook only').to.deep.equal([{ webhook_id: hook.id, status: 'pending' }]);
      } finally {
        await w.hp.close();
      }
    });
  }
});

forEachBackend('plugins/webhooks migrations', (backend) => {
  it('apply once (a second run applies nothing) and leave tables that take the plugin’s rows, millisecond times past 2^31 included', async () => {
    const t = await backend.open();
    expect(await webhooksSchema(t)).to.deep.equal(ALL);
    expect(await webhooksSchema(await backend.openAgain())).to.deep.equal([]);
    const db = t.layer.db as Kysely<any>;
    const at = 1_700_000_000_000;
    const { id } = await db
      .insertInto('webhooks')
      .values({ name: 'A', url: 'http://127.0.0.1:9/', event: 'payment_received', secret: 'whsec_x', created_at: at, updated_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('webhook_events').values({ id: 'evt_1', event: 'payment_received', body: '{}', created_at: at }).execute();
    await db
      .insertInto('webhook_deliveries')
      .values({ msg_id: 'msg_1', webhook_id: id, event_id: 'evt_1', event: 'payment_received', url: 'u', status: 'pending', max_attempts: 8, next_attempt_at: at, created_at: at, updated_at: at })
      .execute();
    expect(await db.selectFrom('webhooks').select(['active', 'event_count', 'integration', 'hidden', 'headers', 'created_at']).executeTakeFirst()).to.deep.equal({
      active: 1,
      event_count: 0,
      integration: 'manual',
      hidden: 0,
      headers: '[]',
      created_at: at,
    });
    // Deleting the webhook cascades to its deliveries (the foreign key, on both).
    await db.deleteFrom('webhooks').where('id', '=', id).execute();
    expect(await db.selectFrom('webhook_deliveries').selectAll().execute()).to.deep.equal([]);
  });

  it('v6 stores inspector bodies as bytes: rows stored as text become their UTF-8 bytes, and any bytes go in and come out unchanged', async () => {
    const t = await backend.open();
    expect(await migratePlugin(t.layer, t.sync, WEBHOOKS_OWNER, webhookMigrations.filter((m) => m.version < 6))).to.deep.equal([1, 2, 3, 4, 5]);
    const db = t.layer.db as Kysely<any>;
    await db.insertInto('webhook_inspector_inboxes').values({ token: 't', created_by: null, created_at: 1, expires_at: 2 }).execute();
    const row = { token: 't', received_at: 1, method: 'POST', headers: '{}', source_ip: '127.0.0.1' };
    const text = '{"name":"Zoë ✓ 🚀"}';
    await db.insertInto('webhook_inspector_requests').values({ ...row, body: text }).execute();

    expect(await webhooksSchema(t)).to.deep.equal(after(5));
    const old = await db.selectFrom('webhook_inspector_requests').select('body').executeTakeFirstOrThrow();
    expect(Buffer.isBuffer(old.body) && old.body.equals(Buffer.from(text, 'utf8')), `upgraded row: ${String(old.body)}`).to.equal(true);
    const bytes = Buffer.from([0x00, 0xff, 0xc3, 0x28, 0x7b, 0x00, 0x80]);
    const { id } = await db.insertInto('webhook_inspector_requests').values({ ...row, body: bytes }).returning('id').executeTakeFirstOrThrow();
    const back = await db.selectFrom('webhook_inspector_requests').select('body').where('id', '=', id).executeTakeFirstOrThrow();
    expect(back.body.equals(bytes), `read back ${back.body.toString('hex')}`).to.equal(true);
    const type =
      t.dialect === 'postgres'
        ? (await sql<{ t: string }>`SELECT data_type AS t FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'webhook_inspector_requests' AND column_name = 'body'`.execute(db)).rows[0]!.t
        : (await sql<{ t: string }>`SELECT type AS t FROM pragma_table_info('webhook_inspector_requests') WHERE name = 'body'`.execute(db)).rows[0]!.t;
    expect(type.toLowerCase()).to.equal(t.dialect === 'postgres' ? 'bytea' : 'blob');
  });

  it('make the partial indexes the claim and the health queries rely on', async () => {
    const t = await backend.open();
    await webhooksSchema(t);
    const db = t.layer.db as Kysely<any>;
    const defs =
      t.dialect === 'postgres'
        ? (await sql<{ name: string; def: string }>`SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'webhook_deliveries'`.execute(db)).rows
        : (await sql<{ name: string; def: string }>`SELECT name, sql AS def FROM sqlite_master WHERE type = 'index' AND tbl_name = 'webhook_deliveries' AND sql IS NOT NULL`.execute(db)).rows;
    const partial = Object.fromEntries(defs.filter((d) => /\bwhere\b/i.test(d.def)).map((d) => [d.name, d.def.replace(/.*\bwhere\b/i, '').replace(/["()]|::text/g, '').replace(/\s+/g, ' ').trim().toLowerCase()]));
    expect(partial).to.deep.equal({
      deliveries_due: "status = 'pending'",
      deliveries_leased: "status = 'pending' and lease_until is not null",
      deliveries_retrying: "status = 'pending' and attempts > 0",
    });
  });
});
