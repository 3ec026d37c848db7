/**
 * A pino-style logger (SPEC §8.1): `info|warn|error(object, message)`. pino itself fits, as
 * does anything with these three methods. The gateway never puts a header value, an API key
 * or a credential in a record.
 */
export interface GatewayLogger {
  info(record: object, message?: string): void;
  warn(record: object, message?: string): void;
  error(record: object, message?: string): void;
}

export const silentLogger: GatewayLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** One JSON object per line (pino's shape: `level`, `time`, `msg`), written by `write`. */
export function jsonLinesLogger(write: (line: string) => void): GatewayLogger {
  // The line is put together from the record's own JSON, with no object copied into another
  // per line: there is one per request (the rows of BENCHMARKS.md "The gateway").
  const at =
    (level: number) =>
    (record: object, message?: string): void => {
      const fields = JSON.stringify(record);
      const more = fields.length > 2 ? `,${fields.slice(1, -1)}` : '';
      const msg = message === undefined ? '' : `,"msg":${JSON.stringify(message)}`;
      write(`{"level":${level},"time":${Date.now()}${more}${msg}}\n`);
    };
  return { info: at(30), warn: at(40), error: at(50) };
}

/** An error as a log field: its name, message and HTTP status, nothing else (no headers). */
export function errorField(error: unknown): { name: string; message: string; status?: number } {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const status = (error as { status?: unknown }).status;
  return {
    name: error.name,
    message: error.message,
    ...(typeof status === 'number' ? { status } : {}),
  };
}
