import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serveDashboard } from '../../src/cli/demo/dashboard.js';
import { createResilience } from '../../src/core/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

interface FixtureReport {
  readonly lines: string[];
  readonly metricsUrl: string | null;
  readonly metricsStatus: number;
  readonly metricsText: string;
}

/** Runs the dashboard fixture in a Node of its own, with `hidden` packages not installed. */
function dashboardWithout(hidden: readonly string[]): Promise<FixtureReport> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        './test/support/hide-packages.mjs',
        'test/cli/fixtures/demo-dashboard.ts',
      ],
      { cwd: root, timeout: 60_000, env: { ...process.env, HIDE_PACKAGES: hidden.join(',') } },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as FixtureReport);
      },
    );
  });
}

describe('the demo’s Prometheus metrics', () => {
  it('are served at /metrics next to the dashboard, on 127.0.0.1', async () => {
    const resilience = createResilience();
    const dashboard = await serveDashboard(resilience);
    const url = `${dashboard.url}metrics`;
    try {
      expect(dashboard.metricsUrl).toBe(url);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      await resilience.execute('summarize', () => 'ok');
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toContain('breakwater_calls_total{operation="summarize",outcome="success"} 1');
      expect(text).toContain('breakwater_circuit_state{operation="summarize",state="closed"} 1');
    } finally {
      await dashboard.close();
    }
    await expect(fetch(url)).rejects.toThrow();
  });

  it('the demo prints the metrics address it serves', async () => {
    const report = await dashboardWithout([]);
    expect(report.metricsStatus).toBe(200);
    expect(report.lines[1]).toBe(`Prometheus metrics: ${report.metricsUrl ?? '(none)'}`);
    expect(report.metricsText).toContain('breakwater_calls_total{operation="summarize"');
  }, 60_000);

  it('without prom-client (an optional peer) the demo still runs and says how to get /metrics', async () => {
    const report = await dashboardWithout(['prom-client']);
    expect(report.metricsUrl).toBeNull();
    expect(report.metricsStatus).toBe(404);
    expect(report.lines[0]).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/ /);
    expect(report.lines[1]).toMatch(/^Prometheus metrics: not served .*npm install prom-client/);
    expect(report.lines.join('\n')).not.toMatch(/http:\/\/\S+\/metrics/);
  }, 60_000);
});
