import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { createPluginApi } from '../../../core/plugins/plugin-api.js';
import { withId, type Generated, type PluginApi, type PluginMigration } from '../../../core/plugin-sdk.js';
import { makeApp } from '../../helpers/app.js';
import { forEachBackend } from '../../helpers/backends.js';

interface NotesTables {
  demo_notes: { id: Generated<number>; title: string; created_at: number };
}

const migrations: PluginMigration[] = [
  {
    version: 1,
    name: 'notes',
    async up(db, dialect) {
      await db.schema.createTable('demo_notes').$call(withId(dialect)).addColumn('title', 'text', (c) => c.notNull()).addColumn('created_at', 'bigint', (c) => c.notNull()).execute();
    },
    async down(db) {
      await db.schema.dropTable('demo_notes').execute();
    },
  },
];

/**
 * The plugin API's data layer as a plugin uses it — `api.migrate`, typed queries on `api.db`,
 * `api.transaction`, `api.unmigrate` — on the host's SQLite and on PostgreSQL (the same API
 * object over a PostgreSQL query layer: the host itself does not start on PostgreSQL yet).
 */
forEachBackend('core/plugins: the asynchronous data API a plugin gets', (backend) => {
  let hp: HookpressApp;
  let api: PluginApi<NotesTables>;
  beforeEach(async () => {
    hp = await makeApp();
    const query = backend.name === 'sqlite' ? hp.host.query : (await backend.open()).layer;
    const manifest = { name: 'Notes', description: 'test', version: '1', author: 'tests' };
    api = createPluginApi({ ...hp.host, query }, { slug: 'demo-notes', dir: '/nowhere', manifest, module: { manifest } }).api as PluginApi<NotesTables>;
  });
  afterEach(() => hp.close());

  it('migrates once, queries with types, commits and rolls back transactions, unmigrates', async () => {
    expect(api.dialect).to.equal(backend.name);
    expect(await api.migrate(migrations)).to.deep.equal([1]);
    expect(await api.migrate(migrations)).to.deep.equal([]);
    const id = await api.transaction(async (trx) => (await trx.insertInto('demo_notes').values({ title: 'kept', created_at: 1_700_000_000_123 }).returning('id').executeTakeFirstOrThrow()).id);
    const failed = await api.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('demo_notes').values({ title: 'dropped', created_at: 1 }).execute();
        throw new Error('no');
      })
      .then(() => 'committed', (e: Error) => e.message);
    expect(failed).to.equal('no');
    expect(await api.db.selectFrom('demo_notes').select(['id', 'title', 'created_at']).execute()).to.deep.equal([{ id, title: 'kept', created_at: 1_700_000_000_123 }]);
    expect(await api.unmigrate(migrations)).to.deep.equal([1]);
    expect((await api.db.introspection.getTables()).map((t) => t.name)).to.not.include('demo_notes');
  });
});
