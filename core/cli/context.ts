import { configFromEnv } from '../config.js';
import { createApp, type HookpressApp } from '../app.js';
import { HookpressError } from '../errors.js';

/** What a CLI command gets: its output streams and, lazily, the host on DATA_DIR. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /**
   * The host built on DATA_DIR (SQLite in WAL mode, so it is safe while a server runs on the
   * same directory): plugins loaded, no listener, no scheduler and no delivery worker — the
   * server's worker sends whatever a command queues.
   */
  app(): Promise<HookpressApp>;
  /** A service a plugin provides (e.g. 'webhooks'); CLI_SERVICE_MISSING when its plugin is inactive. */
  service<T>(name: string): Promise<T>;
  /** WP-CLI's `Success: …` line on stdout. */
  success(message: string): void;
  /** WP-CLI's `Warning: …` line on stderr. */
  warning(message: string): void;
  write(text: string): void;
  close(): Promise<void>;
}

export function createCliContext(io: { env: NodeJS.ProcessEnv; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): CliContext {
  let opened: Promise<HookpressApp> | undefined;
  const ctx: CliContext = {
    ...io,
    app() {
      opened ??= (async () => {
        const base = configFromEnv(io.env);
        const hp = await createApp({
          ...base,
          logLevel: io.env.LOG_LEVEL ?? 'warn',
          logDestination: io.stderr,
          runScheduler: false,
          lockDataDir: false,
          plugins: { ...base.plugins, webhooks: { ...base.plugins.webhooks, autoStart: false } },
        });
        if (hp.generatedAdminPassword) {
          io.stderr.write(`Super admin created: ${hp.config.adminUser} / ${hp.generatedAdminPassword}\nSave this password now; it will not be shown again.\n`);
        }
        return hp;
      })();
      return opened;
    },
    async service<T>(name: string): Promise<T> {
      const hp = await ctx.app();
      const entry = hp.host.services.get(name);
      if (!entry) throw new HookpressError('CLI_SERVICE_MISSING', `The "${name}" service is not available: activate the plugin that provides it.`);
      return entry.service as T;
    },
    success: (message) => void io.stdout.write(`Success: ${message}\n`),
    warning: (message) => void io.stderr.write(`Warning: ${message}\n`),
    write: (text) => void io.stdout.write(text),
    async close() {
      // A host that failed to open (its error already reported) has nothing to close.
      const hp = opened && (await opened.catch(() => undefined));
      if (hp) await hp.close();
    },
  };
  return ctx;
}
