import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { MigrationError, type Migration } from '../../../core/db/migrations.js';
import { migratePlugin, unmigratePlugin, type PluginMigration } from '../../../core/plugins/plugin-migrations.js';
import { forEachBackend, type TestDb } from '../../helpers/backends.js';

const items: PluginMigration = {
  version: 1,
  name: 'items',
  async up(db) {
    await db.schema.createTable('demo_items').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('title', 'text', (c) => c.notNull()).execute();
  },
  async down(db) {
    await db.schema.dropTable('demo_items').execute();
  },
};
const tags: PluginMigration = {
  version: 2,
  name: 'tags',
  async up(db) {
    await db.schema.createTable('demo_tags').addColumn('name', 'text', (c) => c.primaryKey()).execute();
    await db.insertInto('demo_tags').values({ name: 'first' }).execute();
  },
  async down(db) {
    await db.schema.dropTable('demo_tags').execute();
  },
};

async function tables(t: TestDb): Promise<string[]> {
  return (await t.layer.db.introspection.getTables()).map((x) => x.name).filter((n) => n.startsWith('demo_')).sort();
}

async function recorded(t: TestDb, owner: string): Promise<number[]> {
  const db = t.layer.db as Kysely<any>;
  return (await db.selectFrom('schema_migrations').select('version').where('owner', '=', owner).orderBy('version').execute()).map((r) => Number(r.version));
}

forEachBackend('core/plugins: plugin migrations in Kysely’s schema builder', (backend) => {
  it('applies them in version order, each recorded under the plugin, and again does nothing', async () => {
    const t = await backend.open();
    expect(await migratePlugin(t.layer, t.sync, 'plugin:demo', [tags, items])).to.deep.equal([1, 2]);
    expect(await tables(t)).to.deep.equal(['demo_items', 'demo_tags']);
    expect(await recorded(t, 'plugin:demo')).to.deep.equal([1, 2]);
    expect(await migratePlugin(t.layer, t.sync, 'plugin:demo', [items, tags])).to.deep.equal([]);
    // Another plugin's version 1 is its own.
    expect(await migratePlugin(t.layer, t.sync, 'plugin:other', [{ version: 1, name: 'nothing', up: async () => {} }])).to.deep.equal([1]);
    expect(await recorded(t, 'plugin:demo')).to.deep.equal([1, 2]);
  });

  it('a migration that throws rolls back with its record and fails as MIGRATION_FAILED naming it', async () => {
    const t = await backend.open();
    const broken: PluginMigration = {
      version: 2,
      name: 'half done',
      async up(db) {
        await db.schema.createTable('demo_half').addColumn('id', 'integer').execute();
        throw new Error('disk on fire');
      },
    };
    const error = await migratePlugin(t.layer, t.sync, 'plugin:demo', [items, broken]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(MigrationError).with.property('code', 'MIGRATION_FAILED');
    expect((error as Error).message).to.include('plugin:demo#2 (half done)').and.include('disk on fire');
    expect(await tables(t)).to.deep.equal(['demo_items']);
    expect(await recorded(t, 'plugin:demo')).to.deep.equal([1]);
  });

  it('unmigrate runs the downs newest first and forgets them; without a down it refuses before running any', async () => {
    const t = await backend.open();
    await migratePlugin(t.layer, t.sync, 'plugin:demo', [items, tags]);
    const noDown: PluginMigration = { ...tags, down: undefined };
    const error = await unmigratePlugin(t.layer, t.sync, 'plugin:demo', [items, noDown]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(MigrationError).with.property('code', 'MIGRATION_NO_DOWN');
    expect(await tables(t)).to.deep.equal(['demo_items', 'demo_tags']);
    expect(await unmigratePlugin(t.layer, t.sync, 'plugin:demo', [items, tags])).to.deep.equal([2, 1]);
    expect(await tables(t)).to.deep.equal([]);
    expect(await recorded(t, 'plugin:demo')).to.deep.equal([]);
  });

  it('the deprecated raw-SQL form: runs on SQLite (mixed with Kysely ones), refused on PostgreSQL', async () => {
    const t = await backend.open();
    const legacy: Migration = {
      version: 1,
      name: 'raw sql',
      up: (db) => db.exec('CREATE TABLE demo_legacy (id INTEGER PRIMARY KEY)'),
      down: (db) => db.exec('DROP TABLE demo_legacy'),
    };
    const mixed = [legacy, tags];
    if (backend.name === 'sqlite') {
      expect(await migratePlugin(t.layer, t.sync, 'plugin:demo', mixed)).to.deep.equal([1, 2]);
      expect(await tables(t)).to.deep.equal(['demo_legacy', 'demo_tags']);
      expect(await unmigratePlugin(t.layer, t.sync, 'plugin:demo', mixed)).to.deep.equal([2, 1]);
      expect(await tables(t)).to.deep.equal([]);
    } else {
      const error = await migratePlugin(t.layer, t.sync, 'plugin:demo', mixed).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(MigrationError).with.property('code', 'MIGRATION_FAILED');
      expect((error as Error).message).to.include('raw-SQL (SQLite-only) migration');
      expect(await recorded(t, 'plugin:demo')).to.deep.equal([]);
    }
  });
});
