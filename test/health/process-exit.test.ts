import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'fixtures', 'lifecycle.ts');
const root = resolve(here, '../..');
/** Generous: tsx compiles on start-up and the machine is shared; the fixture itself needs milliseconds. */
const BOUND_MS = 15_000;

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the fixture; kills it and reports a null code if it outlives the bound. */
function runFixture(mode: string): Promise<Exit> {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), BOUND_MS);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolvePromise({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('a process using all three primitives', () => {
  it('exits by itself once they are stopped', async () => {
    const exit = await runFixture('stop');
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    expect(JSON.parse(exit.stdout)).toEqual({
      mode: 'stop',
      recovery: 'idle',
      capability: 'degraded',
      refTimers: 0,
    });
    expect(exit.ms).toBeLessThan(BOUND_MS);
  });

  it('exits by itself even when they are left running (every timer is unref’d)', async () => {
    const exit = await runFixture('abandon');
    expect(exit.code).toBe(0);
    expect(JSON.parse(exit.stdout)).toMatchObject({ recovery: 'recovering', refTimers: 0 });
    expect(exit.ms).toBeLessThan(BOUND_MS);
  });
});
