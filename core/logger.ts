import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs (pino). Tests pass level 'silent'. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'hookpress' }, redact: ['password', '*.password', 'secret', '*.secret'] });
}
