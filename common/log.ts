// Structured logging (pino). Components take a child logger with their name as a field.
import { pino, type Logger, type Level } from 'pino';

export type { Logger };

/** Maps Redis loglevel names onto pino levels. */
export function pinoLevel(redisLevel: string): Level {
  switch (redisLevel) {
    case 'debug':
      return 'debug';
    case 'verbose':
      return 'debug';
    case 'warning':
      return 'warn';
    default:
      return 'info';
  }
}

export function createLogger(component: string, opts: { level?: string; file?: string } = {}): Logger {
  const level = opts.level ?? process.env.REDSHARD_LOG_LEVEL ?? 'info';
  const dest = opts.file ? pino.destination({ dest: opts.file, sync: false, mkdir: true }) : pino.destination({ dest: 2, sync: false });
  return pino({ level, base: { component, pid: process.pid } }, dest);
}
