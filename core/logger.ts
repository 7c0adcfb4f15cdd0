import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs (pino) to stdout, or to `destination` (the CLI logs to stderr). Tests pass level 'silent'. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, base: { app: 'hookpress' }, redact: ['password', '*.password', 'secret', '*.secret', 'authorization', '*.authorization', '*.headers.authorization', 'api_secret', '*.api_secret'] };
  return destination ? pino(options, destination as never) : pino(options);
}
