import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type HookpressApp } from '../../core/app.js';
import type { AppConfig } from '../../core/config.js';
import type { User } from '../../core/users/users-store.js';

import { ADMIN_PASSWORD } from '../../core/testing/admin-agent.js';
import { withOfflineDns } from '../../core/testing/offline-lookup.js';
import { freshDatabaseUrl, TEST_DATABASE_URL } from './backends.js';

// The login and nonce helpers are part of the plugin authors' test kit (core/plugin-testkit.ts).
export { ADMIN_PASSWORD, loginAgent, nonceIn, nonceNear, type Agent } from '../../core/testing/admin-agent.js';
export const FIXTURE_PLUGINS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'plugins');

/**
 * The backend `makeApp` builds hosts on: `sqlite` (in memory) unless this run is the PostgreSQL
 * pass of `npm test` (HOOKPRESS_TEST_HOST=postgres, with TEST_DATABASE_URL): then every host a
 * test builds without naming its own storage (`dataDir` or `databaseUrl`) runs on a fresh schema
 * of the run's throwaway PostgreSQL database.
 */
export const HOST_BACKEND: 'sqlite' | 'postgres' = process.env.HOOKPRESS_TEST_HOST === 'postgres' ? 'postgres' : 'sqlite';
if (HOST_BACKEND === 'postgres' && !TEST_DATABASE_URL) throw new Error('HOOKPRESS_TEST_HOST=postgres needs TEST_DATABASE_URL (a PostgreSQL server the run may create a database on).');

/**
 * Inside a `describe`: its tests run only on the SQLite pass, because what they test exists only
 * on SQLite (its file, its synchronous handle, its faults). `why` is shown as the skip reason.
 */
export function sqliteHostOnly(why: string): void {
  if (HOST_BACKEND !== 'postgres') return;
  before(function () {
    // Mocha shows no reason for a skip; `why` documents it at the call.
    void why;
    insideDescribe(this, 'sqliteHostOnly');
    this.skip();
  });
}

/**
 * Inside a `describe`: its tests run only on the SQLite pass, because they already choose their
 * backends themselves (forEachBackend, or a PostgreSQL host of their own) — a second pass would
 * only repeat them.
 */
export function firstPassOnly(): void {
  if (HOST_BACKEND !== 'postgres') return;
  before(function () {
    insideDescribe(this, 'firstPassOnly');
    this.skip();
  });
}

/** Refuses a skip hook at the root: it would skip every file of the run on the PostgreSQL pass. */
function insideDescribe(ctx: Mocha.Context, name: string): void {
  if (ctx.test?.parent?.root) throw new Error(`${name}() must be called inside a describe: at the top level of a file it skips the whole run.`);
}

/** A fresh, isolated host: in-memory SQLite (or, on the PostgreSQL pass, a fresh schema), silent logs, cheap password hashing, offline DNS (core/testing/offline-lookup.ts). */
export async function makeApp(overrides: Partial<AppConfig> = {}): Promise<HookpressApp> {
  const onPostgres = HOST_BACKEND === 'postgres' && overrides.dataDir === undefined && overrides.databaseUrl === undefined;
  return createApp({
    ...(onPostgres ? { databaseUrl: await freshDatabaseUrl() } : {}),
    dataDir: ':memory:',
    logLevel: 'silent',
    passwordCost: 1024,
    adminPassword: ADMIN_PASSWORD,
    pluginsDir: FIXTURE_PLUGINS,
    pluginSlugs: [],
    runScheduler: false,
    ...overrides,
    // Tests never ask a real resolver: names other than localhost fail unless a test injects a lookup.
    plugins: withOfflineDns(overrides.plugins),
  });
}


/**
 * The user with this login (without regard to case), read asynchronously so it works on both
 * backends — and remembered for the synchronous calls (`user_can`, `is_super_admin`) on PostgreSQL,
 * as the host does for the session's user at the start of every request.
 */
export async function userByLogin(hp: HookpressApp, login: string): Promise<User | undefined> {
  const found = await hp.host.users.find(login);
  return found && hp.host.users.getAsync(found.id);
}
