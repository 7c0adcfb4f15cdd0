import { sql } from 'kysely';
import { uniqueIgnoringCase, withId, type SchemaMigration } from './schema-migrations.js';

/**
 * The host's own tables, written once for SQLite and PostgreSQL. Plugins own theirs, through
 * the plugin API's migration helper. Versions 1 and 2 are the tables SQLite installations
 * already have (their records stay valid: the SQL differs in spelling only). Times are unix
 * milliseconds in BIGINT columns, except cron's timestamps (unix seconds, as WordPress stores them).
 */
export const coreMigrations: SchemaMigration[] = [
  {
    version: 1,
    name: 'options, users, sessions, sites',
    async up(db, dialect) {
      // SQLite compares these columns without case; PostgreSQL gets unique indexes on lower().
      const ci = dialect === 'sqlite' ? sql`unique collate nocase` : sql``;
      await db.schema.createTable('site_options').addColumn('name', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
      await db.schema
        .createTable('users')
        .$call(withId(dialect))
        .addColumn('login', 'text', (c) => c.notNull().modifyEnd(ci))
        .addColumn('email', 'text', (c) => c.notNull().modifyEnd(ci))
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('pass_hash', 'text', (c) => c.notNull())
        .addColumn('registered', 'bigint', (c) => c.notNull())
        .execute();
      await uniqueIgnoringCase(db, dialect, 'users', 'login');
      await uniqueIgnoringCase(db, dialect, 'users', 'email');
      await db.schema
        .createTable('sessions')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('expires', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_expires').on('sessions').column('expires').execute();
      await db.schema
        .createTable('sites')
        .$call(withId(dialect))
        .addColumn('slug', 'text', (c) => c.notNull().modifyEnd(ci))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('admin_email', 'text', (c) => c.notNull())
        .addColumn('registered', 'bigint', (c) => c.notNull())
        .addColumn('public', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await uniqueIgnoringCase(db, dialect, 'sites', 'slug');
    },
  },
  {
    version: 2,
    name: 'scheduled events (cron)',
    async up(db, dialect) {
      await db.schema
        .createTable('cron_events')
        .$call(withId(dialect))
        .addColumn('hook', 'text', (c) => c.notNull())
        .addColumn('args', 'text', (c) => c.notNull())
        .addColumn('timestamp', 'bigint', (c) => c.notNull())
        .addColumn('schedule', 'text')
        .addColumn('interval', 'bigint')
        .execute();
      await db.schema.createIndex('cron_events_due').on('cron_events').column('timestamp').execute();
      await db.schema.createIndex('cron_events_hook').on('cron_events').columns(['hook', 'args']).execute();
    },
  },
  {
    version: 3,
    name: 'shared state of several processes: cache versions, rate-limit counters',
    async up(db, dialect) {
      await db.schema.createTable('cache_versions').addColumn('name', 'text', (c) => c.primaryKey()).addColumn('version', 'bigint', (c) => c.notNull()).execute();
      await db.insertInto('cache_versions').values({ name: 'site_options', version: 0 }).execute();
      // Any write to site_options, by any writer (a host process, the CLI, plain SQL), moves the
      // version other processes compare; PostgreSQL also notifies them on commit.
      if (dialect === 'postgres') {
        await sql`CREATE FUNCTION hookpress_site_options_changed() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            UPDATE cache_versions SET version = version + 1 WHERE name = 'site_options';
            PERFORM pg_notify('hookpress_cache', 'site_options');
            RETURN NULL;
          END $$`.execute(db);
        await sql`CREATE TRIGGER site_options_changed AFTER INSERT OR UPDATE OR DELETE ON site_options
          FOR EACH ROW EXECUTE FUNCTION hookpress_site_options_changed()`.execute(db);
      } else {
        for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
          await sql`CREATE TRIGGER ${sql.raw(`site_options_${event.toLowerCase()}d`)} AFTER ${sql.raw(event)} ON site_options
            BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'site_options'; END`.execute(db);
        }
      }
      await db.schema
        .createTable('rate_limits')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .addColumn('reset_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('rate_limits_reset').on('rate_limits').column('reset_at').execute();
    },
  },
  {
    version: 4,
    name: 'application passwords',
    async up(db) {
      // SQLite installations made the table before (migration "application-passwords" 1, same columns).
      await db.schema
        .createTable('application_passwords')
        .ifNotExists()
        .addColumn('uuid', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('app_id', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('last_used', 'bigint')
        .addColumn('last_ip', 'text')
        .execute();
      await db.schema.createIndex('application_passwords_user').ifNotExists().on('application_passwords').column('user_id').execute();
    },
  },
  {
    version: 5,
    name: 'site transients in their own table',
    async up(db) {
      await db.schema
        .createTable('site_transients')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('expires', 'bigint')
        .execute();
      await db.schema.createIndex('site_transients_expires').on('site_transients').column('expires').execute();
      // Transients stored before as network options (`_site_transient_{name}` and its
      // `_site_transient_timeout_{name}`) move over, unexpired or not (a read expires them).
      const rows: Array<{ name: string; value: string }> = await db.selectFrom('site_options').select(['name', 'value']).where('name', 'like', '%site%transient%').execute();
      const stored = new Map(rows.filter((r) => r.name.startsWith('_site_transient_')).map((r) => [r.name, r.value]));
      for (const [name, value] of stored) {
        if (name.startsWith('_site_transient_timeout_')) continue;
        const transient = name.slice('_site_transient_'.length);
        const timeout = stored.get(`_site_transient_timeout_${transient}`);
        const expires = timeout === undefined ? null : Number(JSON.parse(timeout)) || null;
        await db.insertInto('site_transients').values({ name: transient, value, expires }).execute();
      }
      if (stored.size) await db.deleteFrom('site_options').where('name', 'in', [...stored.keys()]).execute();
    },
  },
  {
    version: 6,
    name: 'persistent admin notices in their own table',
    async up(db) {
      await db.schema
        .createTable('admin_notices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('link', 'text')
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();
      // Notices kept before as one network option (a JSON list) move over, in their order.
      const option = await db.selectFrom('site_options').select('value').where('name', '=', 'hookpress_admin_notices').executeTakeFirst();
      const list: unknown = option ? JSON.parse(option.value) : [];
      let seq = 0;
      for (const n of Array.isArray(list) ? (list as Array<Record<string, unknown>>) : []) {
        if (typeof n?.id !== 'string') continue;
        const link = n.link && typeof n.link === 'object' ? JSON.stringify(n.link) : null;
        await db
          .insertInto('admin_notices')
          .values({ id: n.id, type: String(n.type), message: String(n.message), link, created: Number(n.created) || 0, seq: ++seq })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
      if (option) await db.deleteFrom('site_options').where('name', '=', 'hookpress_admin_notices').execute();
    },
  },
  {
    version: 7,
    name: 'host secrets shared by every process',
    async up(db) {
      // PostgreSQL hosts keep the secret key (nonces, session cookies) here rather than in
      // DATA_DIR/secret.key, so every process behind a load balancer signs with the same key.
      await db.schema.createTable('host_secrets').addColumn('name', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
    },
  },
  {
    version: 8,
    name: 'users deleted through any process leave every process’s cache',
    async up(db, dialect) {
      // PostgreSQL processes remember the users they read (the synchronous users.get); a delete by
      // any writer moves this version and notifies, so each drops the users that are gone.
      await db.insertInto('cache_versions').values({ name: 'users', version: 0 }).execute();
      if (dialect === 'postgres') {
        await sql`CREATE FUNCTION hookpress_users_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            UPDATE cache_versions SET version = version + 1 WHERE name = 'users';
            PERFORM pg_notify('hookpress_cache', 'users');
            RETURN NULL;
          END $$`.execute(db);
        await sql`CREATE TRIGGER users_deleted AFTER DELETE ON users FOR EACH STATEMENT EXECUTE FUNCTION hookpress_users_deleted()`.execute(db);
      } else {
        await sql`CREATE TRIGGER users_deleted AFTER DELETE ON users BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'users'; END`.execute(db);
      }
    },
  },
];
