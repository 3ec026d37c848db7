import { fail } from '../option-checks.js';

/** One log method in pino's shape: the record's fields, then its message. */
export type LogMethod = (fields: Record<string, unknown>, message: string) => void;

/**
 * Any pino-style logger: pino itself, a pino child, or anything with `info`, `warn` and
 * `error` taking `(object, message)`. `debug` is used for retries when present.
 */
export interface Logger {
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  debug?: LogMethod;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The `logger` option: absent, or an object with the methods a pino-style logger has. */
export function checkLogger(owner: string, logger: Logger | undefined): Logger | undefined {
  if (logger === undefined) return undefined;
  const candidate = logger as unknown as Partial<Record<LogLevel, unknown>> | null;
  const usable =
    typeof candidate?.info === 'function' &&
    typeof candidate.warn === 'function' &&
    typeof candidate.error === 'function' &&
    (candidate.debug === undefined || typeof candidate.debug === 'function');
  if (!usable) {
    fail(owner, 'logger', 'a pino-style logger with info, warn and error(object, message)', logger);
  }
  return logger;
}
