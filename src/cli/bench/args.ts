import { parseArgs } from 'node:util';

export interface BenchArgs {
  readonly url: URL;
  readonly connections: number;
  readonly durationS: number;
  /** A gateway config file: the same load is also sent through `breakwater serve` with it. */
  readonly through?: string;
  readonly json: boolean;
}

export const benchUsage = `usage: breakwater bench <url> [--connections N] [--duration s] [--through gateway.yaml] [--json]

  Loads <url> (GET) for --duration seconds (default 10) with --connections connections
  (default 10) and reports p50/p99 latency, requests per second and errors. With --through,
  the same load also goes through a gateway started from that config, side by side.
  --json prints the figures as JSON; the progress bar goes to stderr.`;

const MAX_CONNECTIONS = 10_000;
const MAX_DURATION_S = 3_600;

function boundedInteger(name: string, text: string, max: number): number | string {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1 || value > max)
    return `--${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(text)}`;
  return value;
}

/** Parses `bench …`; a string is the usage error to print. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        connections: { type: 'string', short: 'c', default: '10' },
        duration: { type: 'string', short: 'd', default: '10' },
        through: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return 'bench takes exactly one <url>';
  let url: URL;
  try {
    url = new URL(positionals[0] ?? '');
  } catch {
    return `not a URL: ${JSON.stringify(positionals[0])}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `the URL must be http:// or https://, got ${JSON.stringify(url.protocol)}`;
  const connections = boundedInteger('connections', values.connections, MAX_CONNECTIONS);
  if (typeof connections === 'string') return connections;
  const durationS = boundedInteger('duration', values.duration, MAX_DURATION_S);
  if (typeof durationS === 'string') return durationS;
  return {
    url,
    connections,
    durationS,
    json: values.json,
    ...(values.through === undefined ? {} : { through: values.through }),
  };
}
