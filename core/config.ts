import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import type { FaultInjector } from './db/fault-injection.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_QUERY_TIMEOUT_MS } from './db/query-timeout.js';
import type { RetryOptions } from './db/storage-errors.js';

/** A source of the current time in milliseconds; injected so tests control time. */
export type Clock = () => number;

export interface AppConfig {
  /** Where the SQLite database and the nonce secret live. ':memory:' keeps everything in RAM. */
  dataDir: string;
  /**
   * A `postgres://` (or `postgresql://`) URL: the host runs on that PostgreSQL database instead
   * of SQLite in dataDir (several host processes may share it; no DATA_DIR lock, the secret key
   * lives in the database). From DATABASE_URL; absent = SQLite.
   */
  databaseUrl?: string;
  host: string;
  port: number;
  /** Login of the super admin created on first start when there are no users. */
  adminUser: string;
  /** Their password; when absent a random one is generated and printed once. */
  adminPassword?: string;
  adminEmail: string;
  /** Directory scanned for plugins (`plugins/<slug>/index.ts`). */
  pluginsDir: string;
  /** Plugins to consider; default: every folder of pluginsDir. */
  pluginSlugs?: string[];
  clock: Clock;
  logLevel: string;
  /**
   * Take DATA_DIR/hookpress.lock (one host per DATA_DIR; default true). The CLI passes false: it
   * runs no worker and no cron, so it may open the database beside a running host.
   */
  lockDataDir?: boolean;
  /** Where logs go; default stdout (the CLI sends them to stderr). */
  logDestination?: NodeJS.WritableStream;
  /** scrypt cost (N); lower only in tests. */
  passwordCost: number;
  /**
   * Express's 'trust proxy' (https://expressjs.com/en/guide/behind-proxies.html): which
   * X-Forwarded-For hops to believe when reading the client address (login and REST throttles,
   * logs). false (default) = the socket's address; true; a hop count; or addresses/subnets/names
   * such as 'loopback' or '10.0.0.0/8, 127.0.0.1'. From TRUST_PROXY.
   */
  trustProxy: boolean | number | string;
  /** Failed logins allowed per window, per IP and per account. */
  loginAttempts: { perIp: number; perAccount: number; windowMs: number };
  /** Run scheduled events (WP-Cron) in the background; tests call cron.runDue() instead. */
  runScheduler: boolean;
  /** Free-form settings of plugins, by plugin slug. */
  plugins: Record<string, Record<string, unknown>>;
  /** Environment to read plugin settings from (WEBHOOKS_… variables). */
  env: Record<string, string | undefined>;
  /** How long a database write waits for another connection's lock, in ms (SQLite busy_timeout). */
  busyTimeoutMs: number;
  /**
   * PostgreSQL: how long one query may go unanswered, in ms, before the request answers 503
   * (0 = forever). Advisory-lock waits and migrations are exempt (core/db/query-timeout.ts).
   * From DB_QUERY_TIMEOUT_MS; default 30 000.
   */
  queryTimeoutMs: number;
  /** PostgreSQL: how long getting a pooled connection may take, in ms (0 = forever). From DB_CONNECT_TIMEOUT_MS; default 10 000. */
  connectTimeoutMs: number;
  /**
   * SQLite `synchronous`: FULL (default) makes every commit durable across power loss, not only
   * across a killed process; NORMAL is faster but may lose the last commits on power loss
   * (measured in bench/delivery; see README, Durability).
   */
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /**
   * Start-up steps (core set-up, each plugin's load) that fail with a transient storage error
   * (busy, locked, full, I/O) are retried after these waits, in ms; then the host gives up.
   */
  startupRetry: RetryOptions;
  /** Tests only: every database call goes through this injector (see core/db/fault-injection.ts). */
  faults?: FaultInjector;
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export function defaultConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    dataDir: path.join(ROOT, 'data'),
    host: '127.0.0.1',
    port: 8080,
    adminUser: 'admin',
    adminEmail: 'admin@localhost.localdomain',
    pluginsDir: path.join(ROOT, 'plugins'),
    clock: Date.now,
    logLevel: 'info',
    passwordCost: 16384,
    loginAttempts: { perIp: 20, perAccount: 5, windowMs: 15 * 60 * 1000 },
    trustProxy: false,
    plugins: {},
    env: {},
    runScheduler: true,
    busyTimeoutMs: 5000,
    queryTimeoutMs: DEFAULT_QUERY_TIMEOUT_MS,
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    sqliteSynchronous: 'FULL',
    startupRetry: {},
    ...overrides,
  };
}

/**
 * The environment the server and the CLI both read: the process environment over the variables
 * of an env file — `.env` in the working directory, or the file HOOKPRESS_ENV_FILE names — so
 * `npm start` and `npx hookpress` share one configuration (DATA_DIR, WEBHOOKS_ALLOW_NETWORKS…)
 * as WordPress and WP-CLI share wp-config.php. Parsed by dotenv; a missing file is no error.
 * @throws Error when HOOKPRESS_ENV_FILE names a file that cannot be read
 */
export function environment(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): NodeJS.ProcessEnv {
  const named = env.HOOKPRESS_ENV_FILE;
  const file = path.resolve(cwd, named ?? '.env');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (named === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw new Error(`HOOKPRESS_ENV_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  return { ...dotenv.parse(text), ...env };
}

/** TRUST_PROXY as express's 'trust proxy' value: true/false, a hop count, or a list of addresses/subnets/names. */
export function trustProxyFromEnv(raw: string | undefined): boolean | number | string {
  const value = (raw ?? '').trim();
  if (value === '' || /^(false|no|off)$/i.test(value)) return false;
  if (/^(true|yes|on)$/i.test(value)) return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** The longest delay a Node timer (and PostgreSQL's statement_timeout) takes, in ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** A whole number of milliseconds (0 or more) from `env[name]`, else `fallback`. @throws Error naming the variable and its value */
function millisecondsFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name] === undefined ? fallback : Number(env[name]);
  // Node clamps a timer above 2^31 - 1 ms to 1 ms: such a bound would fire at once, not never.
  if (!Number.isInteger(value) || value < 0 || value > MAX_TIMER_MS) throw new Error(`${name} must be a whole number of milliseconds (0 to ${MAX_TIMER_MS}); got "${env[name]}".`);
  return value;
}

/** The configuration `npm start` uses: defaults overridden by the environment. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = env.PORT === undefined ? 8080 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535; got "${env.PORT}".`);
  }
  const busy = millisecondsFromEnv(env, 'DB_BUSY_TIMEOUT_MS', 5000);
  const synchronous = (env.DB_SYNCHRONOUS ?? 'FULL').toUpperCase();
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
    throw new Error(`DB_SYNCHRONOUS must be FULL or NORMAL; got "${env.DB_SYNCHRONOUS}".`);
  }
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new Error('DATABASE_URL must be a postgres:// (or postgresql://) URL; leave it unset to run on SQLite in DATA_DIR.');
  }
  return defaultConfig({
    databaseUrl,
    sqliteSynchronous: synchronous,
    dataDir: path.resolve(env.DATA_DIR ?? path.join(ROOT, 'data')),
    pluginsDir: path.resolve(env.PLUGINS_DIR ?? path.join(ROOT, 'plugins')),
    busyTimeoutMs: busy,
    queryTimeoutMs: millisecondsFromEnv(env, 'DB_QUERY_TIMEOUT_MS', DEFAULT_QUERY_TIMEOUT_MS),
    connectTimeoutMs: millisecondsFromEnv(env, 'DB_CONNECT_TIMEOUT_MS', DEFAULT_CONNECT_TIMEOUT_MS),
    host: env.HOST ?? '127.0.0.1',
    port,
    adminUser: env.ADMIN_USER ?? 'admin',
    adminPassword: env.ADMIN_PASSWORD || undefined,
    adminEmail: env.ADMIN_EMAIL ?? 'admin@localhost.localdomain',
    logLevel: env.LOG_LEVEL ?? 'info',
    trustProxy: trustProxyFromEnv(env.TRUST_PROXY),
    env: { ...env },
  });
}

export const PROJECT_ROOT = ROOT;
