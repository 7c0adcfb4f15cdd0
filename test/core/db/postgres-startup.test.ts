import { expect } from 'chai';
import { postgresStartupHint } from '../../../core/db/postgres-startup.js';
import { firstPassOnly } from '../../helpers/app.js';
import { ChildHost, tempDataDir } from '../../helpers/child-host.js';
import { TEST_DATABASE_URL } from '../../helpers/backends.js';
import { runCli } from '../../../core/cli/program.js';

describe('start-up on PostgreSQL: a DATABASE_URL the host cannot use', () => {
  firstPassOnly();

  it('says what to do for each way the first connection fails', () => {
    expect(postgresStartupHint(new Error('The server does not support SSL connections'))).to.match(/^Enable TLS on the server, or remove sslmode/);
    expect(postgresStartupHint(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }))).to.match(/sslrootcert=/);
    expect(postgresStartupHint(Object.assign(new Error('password authentication failed for user "hp"'), { code: '28P01' }))).to.match(/user name and password/);
    expect(postgresStartupHint(Object.assign(new Error('database "x" does not exist'), { code: '3D000' }))).to.match(/createdb/);
    expect(postgresStartupHint(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).to.match(/host and port/);
    expect(postgresStartupHint(new Error('something else'))).to.match(/Check DATABASE_URL/);
    expect(postgresStartupHint(undefined)).to.match(/Check DATABASE_URL/);
  });

  it('a DATABASE_URL that is not postgres://: one line naming the setting, no stack trace', async function () {
    this.timeout(30_000);
    const data = tempDataDir();
    try {
      const host = ChildHost.start({ DATA_DIR: data.dir, DATABASE_URL: 'mysql://root:TOPSECRET@127.0.0.1/x' });
      const { code } = await host.exited;
      expect(code).to.equal(1);
      expect(host.stderr).to.include('Hookpress cannot start: DATABASE_URL must be a postgres:// (or postgresql://) URL');
      expect(host.stderr).to.not.match(/\n\s+at |TOPSECRET/);
    } finally {
      data.remove();
    }
  });

  it('the CLI on an unreachable database: one "Error:" line and status 1, no stack trace', async () => {
    let err = '';
    const sink = (write: (s: string) => void) => ({ write: (s: string) => (write(String(s)), true) }) as unknown as NodeJS.WritableStream;
    const code = await runCli(['wu', 'webhook', 'list'], { env: { DATABASE_URL: 'postgres://postgres:TOPSECRET@127.0.0.1:1/db' }, stdout: sink(() => undefined), stderr: sink((s) => (err += s)) });
    expect(code).to.equal(1);
    expect(err).to.match(/^Error: cannot use the PostgreSQL database postgres:\/\/…@127\.0\.0\.1:1\/db \(DATABASE_URL\): connect ECONNREFUSED/);
    expect(err.trim().split('\n')).to.have.length(1);
    expect(err).to.not.include('TOPSECRET');
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
      expect(host.stderr).to.match(/Hookpress cannot start: cannot use the PostgreSQL database .*sslmode=require \(DATABASE_URL\): The server does not support SSL connections\. Enable TLS on the server/);
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
