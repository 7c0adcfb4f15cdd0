import { configFromEnv, environment } from './config.js';
import { createApp } from './app.js';
import { StartupError } from './db/startup-checks.js';
import { redactDatabaseUrl as redacted } from './db/redact-url.js';

/** `npm start`: the host on DATA_DIR (or DATABASE_URL), listening on HOST:PORT, stopped gracefully by signals. */
/** A setting in the environment that cannot be used: `npm start` says which and stops (no stack trace). */
class ConfigurationError extends Error {}

async function main(): Promise<void> {
  let config;
  try {
    config = configFromEnv(environment());
  } catch (error) {
    throw new ConfigurationError((error as Error).message, { cause: error });
  }
  let hp;
  try {
    hp = await createApp(config);
  } catch (error) {
    // PostgreSQL refused or unreachable at start: say which database, without its password.
    const code = (error as { code?: unknown }).code;
    if (config.databaseUrl && !(error instanceof StartupError) && typeof code === 'string') {
      throw new Error(`cannot use the PostgreSQL database ${redacted(config.databaseUrl)} (DATABASE_URL): ${(error as Error).message || code} [${code}]`, { cause: error });
    }
    throw error;
  }
  const log = hp.host.logger;
  // Before anything announces the host: a signal that arrives with no handler installed kills
  // the process at once (no graceful stop, the DATA_DIR lock left behind).
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    hp.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const url = await hp.start();
  if (hp.generatedAdminPassword) {
    // Printed once, on the console only: it is not stored anywhere in clear text.
    process.stdout.write(
      `\n  Super admin created: ${hp.config.adminUser} / ${hp.generatedAdminPassword}\n  Save this password now; it will not be shown again.\n\n`,
    );
  }
  const database = hp.config.databaseUrl ? { database: redacted(hp.config.databaseUrl) } : { dataDir: hp.config.dataDir };
  log.info({ url, ...database }, `Hookpress listening on ${url} (network admin: ${url}/wp-admin/network/)`);
}

main().catch((error: unknown) => {
  // A refusal to start is a message for the operator (path, what is wrong, what to do), not a stack trace.
  if (error instanceof StartupError || error instanceof ConfigurationError || (error instanceof Error && error.message.startsWith('cannot use the PostgreSQL database'))) {
    process.stderr.write(`\nHookpress cannot start: ${error.message}\n\n`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
