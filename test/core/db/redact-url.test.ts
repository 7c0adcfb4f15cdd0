import { expect } from 'chai';
import { redactDatabaseUrl } from '../../../core/db/redact-url.js';
import { ChildHost, tempDataDir } from '../../helpers/child-host.js';
import { freshDatabaseUrl, TEST_DATABASE_URL } from '../../helpers/backends.js';
import { firstPassOnly } from '../../helpers/app.js';

describe('redactDatabaseUrl: a DATABASE_URL without its password', () => {
  firstPassOnly();
  it('leaves out the userinfo and every password query parameter, keeping host, port, database and other parameters', () => {
    expect(redactDatabaseUrl('postgres://hp:TOPSECRET@db.example:5432/net')).to.equal('postgres://…@db.example:5432/net');
    expect(redactDatabaseUrl('postgres://hp:p@ss@db/net')).to.equal('postgres://…@db/net');
    expect(redactDatabaseUrl('postgres://postgres@127.0.0.1:1/db?password=TOPSECRET')).to.equal('postgres://…@127.0.0.1:1/db?password=…');
    expect(redactDatabaseUrl('postgresql://127.0.0.1/db?sslmode=require&password=TOP%26SECRET&application_name=x')).to.equal(
      'postgresql://127.0.0.1/db?sslmode=require&password=…&application_name=x',
    );
    expect(redactDatabaseUrl('postgres://h/db?PASSWORD=a&sslpassword=b&pass%77ord=c#password=d')).to.equal('postgres://h/db?PASSWORD=…&sslpassword=…&pass%77ord=…');
    expect(redactDatabaseUrl('postgres://h/db')).to.equal('postgres://h/db');
  });

  it('the start-up error of an unreachable database names it without the password given as ?password=', async function () {
    this.timeout(30_000);
    const data = tempDataDir();
    try {
      const host = ChildHost.start({ DATA_DIR: data.dir, DATABASE_URL: 'postgres://postgres:USERINFOSECRET@127.0.0.1:1/db?password=TOPSECRET' });
      const { code } = await host.exited;
      expect(code).to.equal(1);
      expect(host.stderr).to.include('cannot use the PostgreSQL database postgres://…@127.0.0.1:1/db?password=…');
      expect(`${host.stderr}${host.stdout}`).to.not.match(/TOPSECRET|USERINFOSECRET/);
    } finally {
      data.remove();
    }
  });

  (TEST_DATABASE_URL ? it : it.skip)('the "listening" log line names the database without the password given as ?password=', async function () {
    this.timeout(60_000);
    const data = tempDataDir();
    const url = new URL(await freshDatabaseUrl());
    // The test server trusts local connections: the password is sent and ignored.
    url.searchParams.set('password', 'TOPSECRET');
    const host = ChildHost.start({ DATA_DIR: data.dir, DATABASE_URL: url.toString() });
    try {
      await host.ready;
      const line = await host.waitFor((l) => /listening/.test(l.msg ?? ''));
      expect(line.database).to.be.a('string').and.include('password=…');
      expect(`${host.stderr}${host.stdout}`).to.not.include('TOPSECRET');
    } finally {
      await host.stop();
      data.remove();
    }
  });
});
