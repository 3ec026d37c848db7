import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';
import { waitFor } from './wait-for.js';

/** A real Prometheus server started for one test file, scraping the given targets. */
export interface PrometheusServer {
  readonly url: string;
  /** Runs an instant PromQL query through the HTTP API and returns its vector. */
  query(promql: string): Promise<PromSample[]>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

interface QueryAnswer {
  status: string;
  data?: {
    resultType: string;
    result: { metric: Record<string, string>; value: [number, string] }[];
  };
  error?: string;
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts `/usr/bin/prometheus` on 127.0.0.1 and a free port, with a generated config that
 * scrapes `targets` (host:port) every `scrapeIntervalS` seconds and a temporary data dir.
 */
export async function startPrometheus(
  targets: readonly string[],
  scrapeIntervalS = 1,
): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'breakwater-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      `  scrape_interval: ${scrapeIntervalS}s`,
      `  evaluation_interval: ${scrapeIntervalS}s`,
      'scrape_configs:',
      '  - job_name: breakwater',
      `    scrape_timeout: ${scrapeIntervalS}s`,
      '    static_configs:',
      `      - targets: [${targets.map((target) => `'${target}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const stop = async (): Promise<void> => {
    await stopped(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`prometheus exited with ${child.exitCode}: ${output.join('')}`);
        }
        try {
          return (await fetch(`${url}/-/ready`)).ok;
        } catch {
          return false;
        }
      },
      20_000,
      'prometheus to be ready',
      100,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async query(promql) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const answer = (await response.json()) as QueryAnswer;
      if (answer.status !== 'success' || answer.data === undefined) {
        throw new Error(`query ${promql} failed: ${answer.error ?? response.status}`);
      }
      return answer.data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
    },
    stop,
  };
}
