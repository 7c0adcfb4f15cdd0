import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../core/db/database.js';
import { guardSyncHandle } from '../../core/db/shared-connection-guard.js';
import { postgresQueryLayer, sqliteQueryLayer, type DialectName, type QueryLayer } from '../../core/db/query-layer.js';

/**
 * Storage suites on both backends. Without TEST_DATABASE_URL they run on SQLite only; with it
 * (`postgres://…`, e.g. the `test` database of a local PostgreSQL) this run creates its own
 * throwaway database `hp_test_<pid>_<random>` on that server on first use, runs every suite on
 * PostgreSQL too (one schema per test), and drops the database at the end of the run, failed or
 * not. Databases left by runs that were killed are dropped by the next run.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || '';

/** One open test database: the query layer, and on SQLite the synchronous handle sharing its connection. */
export interface TestDb {
  layer: QueryLayer;
  dialect: DialectName;
  /** SQLite only: the host's synchronous handle (guarded), same connection as `layer`. */
  sync?: Db;
}

/** A backend as a test sees it. */
export interface TestBackend {
  name: DialectName;
  /** A fresh, empty database (PostgreSQL: a new schema; SQLite: a new file), closed after the test. */
  open(): Promise<TestDb>;
  /** Another connection to the database last opened in this test (a second host process). */
  openAgain(): Promise<TestDb>;
}

/**
 * Declares `describe(`${title} on sqlite`)` and, when TEST_DATABASE_URL is set, the same
 * suite `on postgres`. Everything a test opens is closed (and its schema or file removed) after it.
 */
export function forEachBackend(title: string, suite: (backend: TestBackend) => void): void {
  // The PostgreSQL pass of `npm test` (HOOKPRESS_TEST_HOST=postgres) repeats host-level suites on
  // PostgreSQL; these suites already ran on both backends in the first pass.
  if (process.env.HOOKPRESS_TEST_HOST === 'postgres') return;
  const names: DialectName[] = TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
  for (const name of names) {
    describe(`${title} on ${name}`, function () {
      const cleanups: Array<() => Promise<void> | void> = [];
      let last: { file?: string; schema?: string } = {};
      const backend: TestBackend = {
        name,
        async open() {
          if (name === 'sqlite') {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-backend-'));
            cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
            last = { file: dir };
          } else {
            const schema = `t_${randomBytes(6).toString('hex')}`;
            const admin = await runDatabase();
            await admin.query(`CREATE SCHEMA ${schema}`);
            cleanups.push(async () => void (await (await runDatabase()).query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)));
            last = { schema };
          }
          return backend.openAgain();
        },
        async openAgain() {
          if (name === 'sqlite') {
            if (!last.file) throw new Error('open() first');
            const raw = openDatabase(last.file, { busyTimeoutMs: 2000 });
            const layer = sqliteQueryLayer(raw);
            const sync = guardSyncHandle(raw, layer.guard!);
            cleanups.unshift(async () => {
              await layer.close();
              raw.close();
            });
            return { layer, dialect: 'sqlite', sync };
          }
          if (!last.schema) throw new Error('open() first');
          const layer = await postgresQueryLayer(withSearchPath(await runDatabaseUrl(), last.schema), { max: 4 });
          cleanups.unshift(() => layer.close());
          return { layer, dialect: 'postgres' };
        },
      };
      afterEach(async () => {
        for (const c of cleanups.splice(0)) await c();
        last = {};
      });
      suite(backend);
    });
  }
}

/** A fresh schema in this run's throwaway database: the URL of an empty network database (for a host's `databaseUrl`). */
export async function freshDatabaseUrl(): Promise<string> {
  const url = await runDatabaseUrl();
  const schema = `h_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  return withSearchPath(url, schema);
}

/** Rows of one query on the network database `url` (a connection of the test's own). */
export async function rows<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A URL whose connections use `schema` first (PostgreSQL's search_path). */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}


let created: Promise<{ url: string; name: string; client: pg.Client }> | undefined;

/** The URL of this run's throwaway database (created on first call). */
export async function runDatabaseUrl(): Promise<string> {
  return (await ensureRunDatabase()).url;
}

async function runDatabase(): Promise<pg.Client> {
  return (await ensureRunDatabase()).client;
}

function ensureRunDatabase(): Promise<{ url: string; name: string; client: pg.Client }> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  created ??= (async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await dropLeftovers(admin);
      const name = `hp_test_${process.pid}_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${name}`);
      const u = new URL(TEST_DATABASE_URL);
      u.pathname = `/${name}`;
      const client = new pg.Client({ connectionString: u.toString() });
      await client.connect();
      return { url: u.toString(), name, client };
    } finally {
      await admin.end();
    }
  })();
  return created;
}

/** Drops hp_test_<pid>_… databases whose process (on this machine) no longer runs. */
async function dropLeftovers(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'hp\\_test\\_%'");
  for (const { datname } of rows) {
    const pid = Number(/^hp_test_(\d+)_/.exec(datname)?.[1]);
    if (!pid || pidAlive(pid)) continue;
    await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Drops this run's database (called once, after the whole run). */
export async function dropRunDatabase(): Promise<void> {
  if (!created) return;
  const { name, client } = await created;
  created = undefined;
  await client.end().catch(() => undefined);
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

// A root-level hook (this module is loaded by the first suite that uses it): after the whole
// run, passed or failed, the run's database goes.
if (TEST_DATABASE_URL && typeof after === 'function') {
  after(async function () {
    // Hundreds of schemas (one per test, one per host on the PostgreSQL pass) take a while to drop.
    this.timeout(180_000);
    await dropRunDatabase();
  });
}
