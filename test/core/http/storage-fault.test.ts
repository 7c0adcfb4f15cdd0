import { expect } from 'chai';
import Database from 'better-sqlite3';
import { classifyStorageFault } from '../../../core/http/storage-fault.js';
import { StorageUnavailableError } from '../../../core/db/storage-errors.js';
import { HttpError } from '../../../core/http/errors.js';

/** An error shaped as pg's DatabaseError: the server's SQLSTATE in `code`, and a `severity`. */
function pgError(code: string): Error {
  return Object.assign(new Error(`pg ${code}`), { code, severity: 'ERROR' });
}

describe('core/http/storage-fault classifyStorageFault', () => {
  it('answers SQLite faults 503 with Retry-After on either host: 5 s for one that passes, 60 s for a damaged file', () => {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      expect(classifyStorageFault(new Database.SqliteError('database is locked', 'SQLITE_BUSY'), dialect)).to.deep.include({ status: 503, code: 'STORAGE_UNAVAILABLE', retryAfter: 5, fault: 'SQLITE_BUSY' });
      expect(classifyStorageFault(new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE'), dialect)).to.deep.include({ status: 503, retryAfter: 5, fault: 'SQLITE_IOERR_WRITE' });
      const corrupt = classifyStorageFault(new Database.SqliteError('malformed', 'SQLITE_CORRUPT'), dialect);
      expect(corrupt).to.deep.include({ status: 503, retryAfter: 60, title: 'Service Unavailable' });
      expect(corrupt!.message).to.include('damaged');
    }
  });

  it('answers a wrapped fault and a StorageUnavailableError thrown anywhere the same way', () => {
    const wrapped = new Error('migration failed', { cause: new Database.SqliteError('database or disk is full', 'SQLITE_FULL') });
    expect(classifyStorageFault(wrapped, 'sqlite')).to.deep.include({ status: 503, fault: 'SQLITE_FULL', retryAfter: 5 });
    const thrown = new StorageUnavailableError(new Database.SqliteError('database is locked', 'SQLITE_BUSY'));
    expect(classifyStorageFault(thrown, 'sqlite')).to.deep.include({ status: 503, message: thrown.message, retryAfter: 5 });
  });

  it('answers PostgreSQL unreachable or overloaded 503 on a PostgreSQL host only (elsewhere a refused connection is not the database)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(classifyStorageFault(refused, 'postgres')).to.deep.include({ status: 503, fault: 'PG_UNREACHABLE', retryAfter: 5 });
    expect(classifyStorageFault(pgError('53300'), 'postgres')).to.deep.include({ status: 503, fault: 'PG_53300' });
    expect(classifyStorageFault(refused, 'sqlite')).to.equal(undefined);
  });

  it('answers a value PostgreSQL refuses (SQLSTATE class 22) 400 with the reason', () => {
    const answer = classifyStorageFault(pgError('22003'), 'postgres');
    expect(answer).to.deep.include({ status: 400, code: 'BAD_REQUEST', title: 'Bad Request' });
    expect(answer!.message).to.include('out of range or not allowed');
    expect(answer).to.not.have.property('retryAfter');
  });

  it('leaves every other error to the handler: bugs, bad input, other SQL errors', () => {
    expect(classifyStorageFault(new Error('boom'), 'sqlite')).to.equal(undefined);
    expect(classifyStorageFault(new HttpError(404, 'Not here'), 'postgres')).to.equal(undefined);
    expect(classifyStorageFault(new Database.SqliteError('no such table: x', 'SQLITE_ERROR'), 'sqlite')).to.equal(undefined);
    expect(classifyStorageFault(pgError('23505'), 'postgres'), 'a unique violation').to.equal(undefined);
    expect(classifyStorageFault(undefined, 'sqlite')).to.equal(undefined);
  });
});
