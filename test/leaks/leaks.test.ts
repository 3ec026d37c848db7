import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = join(root, 'test/leaks/fixtures/every-policy.ts');

/** How long the child may take in all; its policies hold deadlines of ten minutes. */
const BOUND_MS = 15_000;

interface Outcome {
  readonly code: number | null;
  readonly killed: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

function runChild(): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { cwd: root });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const bound = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, BOUND_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(bound);
      resolve({ code, killed, stdout, stderr });
    });
  });
}

interface Report {
  readonly runs: number;
  readonly policies: readonly string[];
  readonly leftovers: readonly string[];
}

describe('no policy leaves a timer or a listener behind', () => {
  it(
    'a process that uses every policy exits by itself, every caller signal left without listeners',
    async () => {
      const outcome = await runChild();
      expect(outcome.stderr).toBe('');
      expect(outcome.killed).toBe(false);
      expect(outcome.code).toBe(0);
      const report = JSON.parse(outcome.stdout.trim()) as Report;
      expect(report.leftovers).toEqual([]);
      expect(report.policies.length).toBeGreaterThan(0);
      expect(report.runs).toBeGreaterThanOrEqual(report.policies.length * 9);
    },
    BOUND_MS + 5_000,
  );
});
