import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { attemptStatements, bindNamed } from '../../../plugins/webhooks/data/attempt-sql.js';
import { forEachBackend, type TestDb } from '../../helpers/backends.js';

describe('plugins/webhooks attempt record statements (data/attempt-sql.ts)', () => {
  it('differ between SQLite and PostgreSQL only in MAX/MIN of two values and the index hint', () => {
    const sqlite = attemptStatements('sqlite');
    const pg = attemptStatements('postgres');
    expect(pg.finish).to.equal(sqlite.finish);
    expect(pg.insert).to.equal(sqlite.insert);
    expect(pg.disable).to.equal(sqlite.disable);
    const asSqlite = pg.health.replaceAll('GREATEST(', 'MAX(').replaceAll('LEAST(', 'MIN(').replace('webhook_attempts a \n', 'webhook_attempts a INDEXED BY attempts_webhook_health\n');
    expect(asSqlite).to.equal(sqlite.health);
  });

  it('bindNamed refuses a parameter object without one of the names, naming it', () => {
    const bind = bindNamed('SELECT @a, @b');
    expect(() => bind({ a: 1 })).to.throw('Missing named parameter "b"');
  });
});

forEachBackend('bindNamed (named parameters on the query layer)', (backend) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await backend.open();
  });

  it('binds each use of a name, in the dialect’s placeholders', async () => {
    const q = bindNamed('SELECT CAST(@a AS integer) + CAST(@a AS integer) AS x, CAST(@b AS text) AS y');
    const { rows } = await q({ a: 20, b: 'two' }).execute(t.layer.db as Kysely<unknown>);
    expect(rows).to.deep.equal([{ x: 40, y: 'two' }]);
  });
});
