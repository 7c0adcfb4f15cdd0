import { expect } from 'chai';
import { openDatabase } from '../../../core/db/database.js';
import { migrate, MigrationError } from '../../../core/db/migrations.js';

describe('core/db migrations', () => {
  it('applies each version once per owner and records it (idempotent)', () => {
    const db = openDatabase(':memory:');
    let runs = 0;
    const ms = [
      { version: 2, name: 'second', up: () => void runs++ },
      { version: 1, name: 'first', up: (d: typeof db) => void (runs++, d.exec('CREATE TABLE t (x)')) },
    ];
    expect(migrate(db, 'plugin:a', ms)).to.deep.equal([1, 2]);
    expect(migrate(db, 'plugin:a', ms)).to.deep.equal([]);
    expect(migrate(db, 'plugin:b', [ms[0]!])).to.deep.equal([2]);
    expect(runs).to.equal(3);
    db.close();
  });

  it('rolls back a failing migration and names it', () => {
    const db = openDatabase(':memory:');
    const bad = { version: 1, name: 'broken', up: (d: typeof db) => (d.exec('CREATE TABLE half (x)'), d.exec('NOT SQL')) };
    expect(() => migrate(db, 'core-test', [bad])).to.throw(MigrationError, /core-test#1 \(broken\)/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).to.equal(undefined);
    expect(migrate(db, 'core-test', [{ ...bad, up: () => undefined }])).to.deep.equal([1]);
    db.close();
  });

  it('refuses duplicate or invalid versions', () => {
    const db = openDatabase(':memory:');
    expect(() => migrate(db, 'x', [{ version: 1, name: 'a', up() {} }, { version: 1, name: 'b', up() {} }])).to.throw(/twice/);
    expect(() => migrate(db, 'x', [{ version: 0, name: 'a', up() {} }])).to.throw(/positive integers/);
    db.close();
  });

  it('opens files in WAL mode with foreign keys on', () => {
    const db = openDatabase(':memory:');
    expect(db.pragma('foreign_keys', { simple: true })).to.equal(1);
    db.close();
  });
});
