import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'fixtures', 'hung-call.ts');
const root = resolve(here, '../..');

function run(mode: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Generous: tsx compiles on start-up and the machine is shared.
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      done({ code, stdout, stderr });
    });
  });
}

describe('a pending deadline holds the process', () => {
  it.each(['cooperative', 'aggressive'])(
    '%s: a script whose only work is a hung call gets its TimeoutError, then exits',
    async (mode) => {
      const { code, stdout, stderr } = await run(mode);
      expect(stderr).toBe('');
      expect(JSON.parse(stdout.trim())).toEqual({ outcome: 'TimeoutError' });
      expect(code).toBe(0);
    },
  );
});
