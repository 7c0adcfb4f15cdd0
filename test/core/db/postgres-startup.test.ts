import { expect } from 'chai';
import { postgresStartupHint } from '../../../core/db/postgres-startup.js';
import { firstPassOnly } from '../../helpers/app.js';
import { ChildHost, tempDataDir } from '../../helpers/child-host.js';
import { TEST_DATABASE_URL } from '../../helpers/backends.js';

describe('start-up on PostgreSQL: a DATABASE_URL the host cannot use', () => {
  firstPassOnly();

  it('says what to do for each way the first connection fails', () => {
    expect(postgresStartupHint(new Error('The server does not support SSL connections'))).to.match(/does not accept TLS.*sslmode/);
    expect(postgresStartupHint(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }))).to.match(/sslrootcert=/);
    expect(postgresStartupHint(Object.assign(new Error('password authentication failed for user "hp"'), { code: '28P01' }))).to.match(/user name and password/);
    expect(postgresStartupHint(Object.assign(new Error('database "x" does not exist'), { code: '3D000' }))).to.match(/createdb/);
    expect(postgresStartupHint(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).to.match(/host and port/);
    expect(postgresStartupHint(new Error('something else'))).to.match(/Check DATABASE_URL/);
    expect(postgresStartupHint(undefined)).to.match(/Check DATABASE_URL/);
  });

  (TEST_DATABASE_URL ? it : it.skip)('sslmode=require against a server without TLS: one line with the reason and the remedy, no stack trace', async function () {
    this.timeout(30_000);
    const data = tempDataDir();
    try {
      const url = new URL(TEST_DATABASE_URL);
      url.searchParams.set('sslmode', 'require');
      const host = ChildHost.start({ DATA_DIR: data.dir, DATABASE_URL: url.toString() });
      const { code } = await host.exited;
      expect(code).to.equal(1);
      expect(host.stderr).to.match(/Hookpress cannot start: cannot use the PostgreSQL database .*sslmode=require \(DATABASE_URL\): The server does not support SSL connections\. The server does not accept TLS/);
      expect(host.stderr).to.not.match(/\n\s+at /);
    } finally {
      data.remove();
    }
  });

  (TEST_DATABASE_URL ? it : it.skip)('a database that does not exist: named, with the SQLSTATE and createdb', async function () {
    this.timeout(30_000);
    const data = tempDataDir();
    try {
      const url = new URL(TEST_DATABASE_URL);
      url.pathname = '/hp_no_such_database';
      const host = ChildHost.start({ DATA_DIR: data.dir, DATABASE_URL: url.toString() });
      const { code } = await host.exited;
      expect(code).to.equal(1);
      expect(host.stderr).to.include('database "hp_no_such_database" does not exist [3D000]. The database does not exist: create it');
      expect(host.stderr).to.not.match(/\n\s+at /);
    } finally {
      data.remove();
    }
  });
});
