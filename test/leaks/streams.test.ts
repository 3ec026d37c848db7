import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = join(root, 'test/leaks/fixtures/streams.ts');

/** The child's whole run, bounded: a thousand SDK streams, with deadlines that allow a loaded CI machine. */
const BOUND_MS = 60_000;

interface Report {
  readonly streams: number;
  readonly outcomes: Record<string, number>;
  readonly leftovers: readonly string[];
}

function runChild(): Promise<{ code: number | null; killed: boolean; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { cwd: root });
    let stdout = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // The SDK logs the malformed chunks it rejects; that is expected noise.
    child.stderr.resume();
    const bound = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, BOUND_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(bound);
      resolve({ code, killed, stdout });
    });
  });
}

describe('1,000 concurrent streams leave nothing behind', () => {
  it(
    'the process exits by itself; no socket, listener or truncated answer left over',
    async () => {
      const outcome = await runChild();
      expect(outcome.killed).toBe(false);
      expect(outcome.code).toBe(0);
      const report = JSON.parse(outcome.stdout.trim()) as Report;
      expect(report.leftovers).toEqual([]);
      const entries = Object.entries(report.outcomes);
      expect(entries.reduce((sum, [, count]) => sum + count, 0)).toBe(report.streams);
      expect(report.streams).toBe(1_000);
      // A stream that stalled, was cut, carried garbage or was aborted never ended as complete.
      const truncated = ['stalls', 'cut', 'malformed', 'caller aborts'];
      for (const [key] of entries) {
        const [scenario, ending] = key.split(': ');
        if (truncated.includes(scenario ?? '')) expect(ending, key).not.toBe('complete');
      }
      expect(report.outcomes['consumer breaks: broke off']).toBeGreaterThan(0);
      // A chain past a silent alternative either answered from the next one or, when a loaded
      // machine let every first-chunk deadline pass, failed with all of its tries: never
      // anything else (the leftovers above cover what its abandoned attempts held).
      for (const [key] of entries) {
        const [scenario, ending] = key.split(': alternative silent: ');
        if (scenario === 'chain') expect(['complete', 'AggregateError'], key).toContain(ending);
      }
    },
    BOUND_MS + 5_000,
  );
});
