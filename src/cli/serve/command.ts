import { parseArgs } from 'node:util';
import { isConfigError } from '../../core/errors/index.js';
import { createGateway, jsonLinesLogger, loadGatewayFile } from '../../gateway/index.js';
import { formatProblems } from '../config/format.js';
import { loadPrometheus } from '../optional-prometheus.js';
import { BatchedLines } from './batched-lines.js';
import { applyGatewayV8Flags } from './v8-flags.js';
import { watchFile } from './watch-file.js';

export const serveUsage = `breakwater serve --config <file>
  Runs the gateway (SPEC §10) described by a YAML or JSON file; \${VAR} is read from the
  environment. Prints "listening on http://HOST:PORT" once serving; logs JSON lines on stderr.
  The file is reloaded when it changes and on SIGHUP (a bad file is refused, the old
  configuration kept); SIGTERM drains in-flight requests and exits 0.`;

export interface ServeIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** `breakwater serve`: resolves with the exit code once the gateway has stopped. */
export async function runServe(argv: readonly string[], io: ServeIo): Promise<number> {
  let file: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
    if (values.help === true) {
      io.stdout(`${serveUsage}\n`);
      return 0;
    }
    file = values.config;
  } catch (error) {
    io.stderr(`breakwater serve: ${(error as Error).message}\n\n${serveUsage}\n`);
    return 2;
  }
  if (file === undefined) {
    io.stderr(`breakwater serve: --config <file> is required\n\n${serveUsage}\n`);
    return 2;
  }
  const configFile = file;
  let config;
  try {
    config = loadGatewayFile(configFile, io.env);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    io.stderr(
      `✗ ${configFile}: ${error.problems.length} problem(s)\n${formatProblems(error.problems)}\n`,
    );
    return 1;
  }
  applyGatewayV8Flags();
  const lines = new BatchedLines(io.stderr);
  const logger = jsonLinesLogger(lines.line);
  // The §8.1 series per upstream operation, when prom-client (an optional peer) is installed
  // and an admin port serves them: without one, prom-client would only cost resident memory.
  const prometheus = config.admin === undefined ? undefined : await loadPrometheus();
  const gateway = createGateway(config, {
    logger,
    env: io.env,
    ...(prometheus === undefined ? {} : { metrics: (r) => prometheus.prometheusMetrics(r) }),
  });
  const address = await gateway.listen();
  io.stdout(`listening on ${address.url}\n`);
  if (address.admin !== undefined) io.stdout(`admin on ${address.admin.url}\n`);

  const reload = (source: string): void => {
    try {
      gateway.reload(loadGatewayFile(configFile, io.env));
      logger.info({ event: 'config_applied', source }, 'configuration reloaded');
    } catch (error) {
      if (!isConfigError(error)) throw error;
      // Paths and expectations only: a rejected value may be a secret.
      const problems = error.problems.map(({ path, expected }) => ({ path, expected }));
      logger.error(
        { event: 'config_rejected', source, problems },
        'configuration refused; the old one stays',
      );
    }
  };
  const stopWatching = watchFile(configFile, () => reload('file'));
  const onHangup = (): void => reload('SIGHUP');
  process.on('SIGHUP', onHangup);

  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('SIGHUP', onHangup);
      stopWatching();
      logger.info({ event: 'draining', signal, inFlight: gateway.inFlight() }, 'draining');
      gateway.close().then(
        () => {
          logger.info({ event: 'stopped' }, 'gateway stopped');
          lines.close();
          resolve(0);
        },
        (error: unknown) => {
          lines.close();
          io.stderr(`breakwater serve: ${String(error)}\n`);
          resolve(1);
        },
      );
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
}
