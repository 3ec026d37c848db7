import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../../src/cli/args.js';
import type { DemoSummary } from '../../src/cli/demo/run.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

function runCli(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: root, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('breakwater demo', () => {
  it('parses demo [--fast] [--json] and refuses anything else', () => {
    expect(parseDemoArgs([])).toEqual({ fast: false, json: false });
    expect(parseDemoArgs(['--json', '--fast'])).toEqual({ fast: true, json: true });
    expect(parseDemoArgs(['--slow'])).toBe("Unknown option '--slow'");
  });

  it('an unknown command exits 2 with the usage', async () => {
    const { code, stderr } = await runCli(['dance']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command "dance"/);
    expect(stderr).toMatch(/demo \[--fast\] \[--json\]/);
  }, 60_000);

  it('demo --help prints the usage and exits 0 without running the demo', async () => {
    const { code, stdout, stderr } = await runCli(['demo', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/demo \[--fast\] \[--json\]/);
    expect(stdout).not.toMatch(/simulated provider/);
    expect(stderr).toBe('');
  }, 60_000);

  it('demo --fast --json tells the whole story and exits by itself', async () => {
    const started = Date.now();
    const { code, stdout, stderr } = await runCli(['demo', '--fast', '--json']);
    expect(stderr).not.toMatch(/error/i);
    // stdout is the JSON alone; the progress, with each window's failed share, is on stderr
    expect(stderr).toMatch(/── down:/);
    expect(stderr).toMatch(/sentiment .* failed +\d+%/);
    expect(code).toBe(0);
    // --json keeps stdout for the summary: the dashboard's address goes to stderr.
    expect(stderr).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/ /m);
    expect(Date.now() - started).toBeLessThan(60_000);
    const summary = JSON.parse(stdout) as DemoSummary;
    expect(summary.mode).toBe('fast');
    expect(summary.durationMs).toBeGreaterThanOrEqual(9_000);
    expect(summary.phases.map((phase) => phase.name)).toEqual([
      'healthy',
      'slow',
      'rate-limited',
      'down',
      'back',
    ]);
    expect(Object.keys(summary.operations)).toEqual(['summarize', 'qa', 'sentiment']);
    for (const op of Object.values(summary.operations)) {
      expect(op.requests).toBeGreaterThan(0);
      expect(op.answeredDirectly + op.answeredByFallback + op.failed).toBe(op.requests);
      expect(op.answeredDirectly).toBeGreaterThan(0);
      expect(op.breakerOpens).toBeGreaterThan(0);
    }
    expect(summary.operations['summarize']?.answeredByFallback).toBeGreaterThan(0);
    expect(summary.operations['qa']?.answeredByFallback).toBeGreaterThan(0);
    expect(summary.operations['sentiment']?.answeredByFallback).toBe(0);
    expect(summary.operations['sentiment']?.failed).toBeGreaterThan(0);
    expect(summary.totals.requests).toBe(
      summary.totals.answeredDirectly + summary.totals.answeredByFallback + summary.totals.failed,
    );
    expect(summary.transitions.some((t) => t.to === 'open')).toBe(true);
    expect(summary.transitions.some((t) => t.from === 'half-open' && t.to === 'closed')).toBe(true);
    expect(Object.values(summary.operations).some((op) => op.timeToRecoverMs !== null)).toBe(true);
    expect(summary.provider.primary['200']).toBeGreaterThan(0);
    expect(summary.provider.primary['429']).toBeGreaterThan(0);
    expect(summary.provider.primary['503']).toBeGreaterThan(0);
    expect(summary.provider.secondary['200']).toBeGreaterThan(0);
  }, 95_000);
});
