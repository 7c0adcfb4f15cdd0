import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema, type SchemaMigration } from '../../../core/db/schema-migrations.js';
import { MigrationError } from '../../../core/db/migrations.js';
import { forEachBackend } from '../../helpers/backends.js';

const ALL = coreMigrations.map((m) => m.version);

forEachBackend('core schema', (backend) => {
  it('applies every core migration once and records it per backend; running it again does nothing', async () => {
    const { layer } = await backend.open();
    expect(await migrateSchema(layer, 'core', coreMigrations)).to.deep.equal(ALL);
    expect(await migrateSchema(layer, 'core', coreMigrations)).to.deep.equal([]);
    const tables = (await layer.db.introspection.getTables()).map((t) => t.name);
    expect(tables).to.include.members(['schema_migrations', 'site_options', 'users', 'sessions', 'sites', 'cron_events', 'cache_versions', 'rate_limits']);
    const records = await (layer.db as Kysely<any>).selectFrom('schema_migrations').select(['owner', 'version']).orderBy('version').execute();
    expect(records).to.deep.equal(ALL.map((version) => ({ owner: 'core', version })));
  });

  it('another process starting on the same database applies nothing twice (PostgreSQL: at the same time)', async () => {
    const first = await backend.open();
    const second = await backend.openAgain();
    // Two SQLite connections of one process would block each other's event loop: there the
    // second process comes after the first (across processes SQLite's BEGIN IMMEDIATE serialises them).
    const results =
      backend.name === 'postgres'
        ? await Promise.all([migrateSchema(first.layer, 'core', coreMigrations), migrateSchema(second.layer, 'core', coreMigrations)])
        : [await migrateSchema(first.layer, 'core', coreMigrations), await migrateSchema(second.layer, 'core', coreMigrations)];
    expect(results.flat().sort((a, b) => a - b)).to.deep.equal(ALL);
  });

  it('logins, emails and site slugs are unique without regard to case', async () => {
    const { layer } = await backend.open();
    await migrateSchema(layer, 'core', coreMigrations);
    const db = layer.db as Kysely<any>;
    const user = { login: 'Admin', email: 'a@example.com', display_name: 'A', pass_hash: 'x', registered: 1_795_824_000_000 };
    await db.insertInto('users').values(user).execute();
    let refused: unknown;
    await db
      .insertInto('users')
      .values({ ...user, login: 'admin', email: 'b@example.com' })
      .execute()
      .catch((e: unknown) => (refused = e));
    expect(refused, 'login').to.be.instanceOf(Error);
    refused = undefined;
    await db
      .insertInto('users')
      .values({ ...user, login: 'other', email: 'A@EXAMPLE.COM' })
      .execute()
      .catch((e: unknown) => (refused = e));
    expect(refused, 'email').to.be.instanceOf(Error);
    await db.insertInto('sites').values({ slug: 'Main', title: 'M', admin_email: 'a@example.com', registered: 1 }).execute();
    refused = undefined;
    await db
      .insertInto('sites')
      .values({ slug: 'MAIN', title: 'M', admin_email: 'a@example.com', registered: 1 })
      .execute()
      .catch((e: unknown) => (refused = e));
    expect(refused, 'slug').to.be.instanceOf(Error);
    const [row] = await db.selectFrom('sites').select(['id', 'public']).execute();
    expect(row).to.deep.equal({ id: 1, public: 1 });
  });

  it('a failing migration leaves nothing behind (DDL rolled back) and names itself', async () => {
    const { layer } = await backend.open();
    const broken: SchemaMigration = {
      version: 1,
      name: 'half done',
      async up(db) {
        await db.schema.createTable('half').addColumn('x', 'integer').execute();
        await db.schema.createTable('half').addColumn('x', 'integer').execute();
      },
    };
    let error: unknown;
    await migrateSchema(layer, 'test', [broken]).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(MigrationError);
    expect((error as Error).message).to.match(/test#1 \(half done\) failed/);
    expect((await layer.db.introspection.getTables()).map((t) => t.name)).not.to.include('half');
    expect(await migrateSchema(layer, 'test', [{ ...broken, up: async () => {} }])).to.deep.equal([1]);
  });
});
