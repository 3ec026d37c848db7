import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runConfigCommand } from '../../src/cli/config/command.js';
import { tempDir } from './helpers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = tempDir();
afterAll(() => dir.cleanup());

/** Runs `breakwater config …` in-process, capturing what it prints. */
function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = runConfigCommand(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env,
  });
  return { code, stdout, stderr };
}

const good = dir.write(
  'good.yaml',
  `preset: production
defaults:
  timeout: 10000
operations:
  summarize:
    strategy: conservative
    retry: { maxAttempts: 4 }
`,
);
const bad = dir.write(
  'bad.yaml',
  `preset: production
operations:
  summarize:
    stratgy: conservative
    retry: { maxAttempts: 50, backoff: { kind: constant, delayMs: 0 } }
  qa:
    circuitBreaker: { openMs: 200 }
    bulkhead: { maxConcurrent: 4, maxQueue: .inf }
`,
);

describe('breakwater config validate <file>', () => {
  it('exits 0 for a valid file', () => {
    const { code, stdout } = run(['validate', good]);
    expect(code).toBe(0);
    expect(stdout).toContain(`✓ ${good} is valid`);
  });

  it('exits 1 listing every problem with its path, value, expectation and suggestion', () => {
    const { code, stdout } = run(['validate', bad]);
    expect(code).toBe(1);
    expect(stdout).toContain('5 problems');
    expect(stdout).toContain(
      'operations.summarize.stratgy: unknown key "stratgy" (did you mean "strategy"?)',
    );
    expect(stdout).toMatch(
      /operations\.summarize\.retry\.maxAttempts: 50 attempts .*\n\s+value:\s+50\n\s+expected: an integer from 1 to 10/,
    );
    expect(stdout).toContain('operations.summarize.retry.backoff.delayMs');
    expect(stdout).toMatch(/operations\.qa\.circuitBreaker\.openMs: .*in production/);
    expect(stdout).toMatch(
      /operations\.qa\.bulkhead\.maxQueue: an unbounded queue.*\n\s+value:\s+Infinity/,
    );
  });

  it('exits 1 for a file that is not YAML, or missing, saying where', () => {
    const broken = dir.write('broken.yaml', 'operations:\n  qa: 1\n  qa: 2\n');
    const parse = run(['validate', broken]);
    expect(parse.code).toBe(1);
    expect(parse.stdout).toMatch(/not valid YAML: duplicated mapping key at line 3, column 3/);
    const missing = run(['validate', `${dir.dir}/nope.json`]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('no such file');
  });

  it('--env production applies the production rules; --json prints machine-readable output', () => {
    const soft = dir.write('soft.yaml', 'operations:\n  qa: { circuitBreaker: { openMs: 500 } }\n');
    expect(run(['validate', soft]).code).toBe(0);
    expect(run(['validate', soft]).stdout).toContain('1 warning');
    const strict = run(['validate', soft, '--env', 'production', '--json']);
    expect(strict.code).toBe(1);
    const report = JSON.parse(strict.stdout) as { valid: boolean; problems: { path: string }[] };
    expect(report.valid).toBe(false);
    expect(report.problems.map((p) => p.path)).toEqual(['operations.qa.circuitBreaker.openMs']);
  });

  it('exits 2 on misuse', () => {
    expect(run(['validate']).code).toBe(2);
    expect(run(['validate', good, '--env', 'moon']).code).toBe(2);
    expect(run(['validate', good, '--frobnicate']).stderr).toContain(
      "Unknown option '--frobnicate'",
    );
    expect(run(['frobnicate']).code).toBe(2);
  });

  it('--help on any subcommand prints its usage and exits 0, whatever else is given', () => {
    for (const [sub, line] of [
      ['validate', 'breakwater config validate <file>'],
      ['migrate', 'breakwater config migrate [--env-file <file>]'],
      ['explain', 'breakwater config explain [file]'],
    ] as const) {
      for (const help of ['--help', '-h']) {
        const { code, stdout, stderr } = run([sub, help, '--frobnicate']);
        expect(code).toBe(0);
        expect(stdout).toContain(line);
        expect(stderr).toBe('');
      }
    }
  });
});

describe('breakwater config migrate', () => {
  const legacy = {
    NODE_ENV: 'production',
    CIRCUIT_BREAKER_FAILURE_THRESHOLD: '5',
    CIRCUIT_BREAKER_TIMEOUT: '60',
    API_RETRY_MAX: '3',
    API_RETRY_BASE_DELAY: '1.0',
  };

  it('from the environment: prints the new configuration and the report', () => {
    const { code, stdout } = run(['migrate'], legacy);
    expect(code).toBe(0);
    expect(stdout).toContain('preset: production');
    expect(stdout).toMatch(
      /retry:\n\s+maxAttempts: 4\n\s+backoff:\n\s+kind: exponential\n\s+initialMs: 1000/,
    );
    expect(stdout).toContain('# confidence: 1');
    expect(stdout).toContain('#   API_RETRY_MAX=3 → defaults.retry.maxAttempts = 4');
    expect(stdout).toContain('# validation: valid');
  });

  it('from a .env file (comments, quotes, export); exit 1 when the result is invalid', () => {
    const envFile = dir.write(
      '.env',
      '# legacy\nexport API_RETRY_MAX=2\nRETRY_BASE_DELAY="0"\nCIRCUIT_BREAKER_TIMEOUT=60 # seconds\n',
    );
    const { code, stdout } = run(['migrate', '--env-file', envFile], legacy);
    expect(code).toBe(1);
    expect(stdout).toContain(
      '#   CIRCUIT_BREAKER_TIMEOUT=60 → defaults.circuitBreaker.openMs = 60000',
    );
    expect(stdout).not.toContain('CIRCUIT_BREAKER_FAILURE_THRESHOLD');
    expect(stdout).toContain('# validation: invalid');
    expect(stdout).toContain('defaults.retry.backoff.initialMs: retries with no backoff');
  });

  it('--json prints the whole report; nothing to migrate exits 1', () => {
    const json = run(['migrate', '--json'], legacy);
    const report = JSON.parse(json.stdout) as { confidence: number; preset: string };
    expect(report).toMatchObject({ confidence: 1, preset: 'production' });
    expect(run(['migrate'], { HOME: '/root' }).code).toBe(1);
  });
});

describe('breakwater config explain [file]', () => {
  it('prints every operation with each effective value and its source', () => {
    const { code, stdout } = run(['explain', good], {
      API_RETRY_MAX: '2',
      BREAKWATER_OP_QA_TIMEOUT_MS: '3000',
    });
    expect(code).toBe(0);
    expect(stdout).toContain('preset: production');
    const section = (name: string): string => {
      const start = stdout.indexOf(`\n${name}\n`);
      const end = stdout.indexOf('\n\n', start + 1);
      return stdout.slice(start, end === -1 ? undefined : end);
    };
    const summarize = section('summarize');
    expect(summarize).toMatch(/strategy\s+"conservative"\s+← file:.*good\.yaml/);
    // The operator's env var applies to every operation, over the file's own value.
    expect(summarize).toMatch(/retry\.maxAttempts\s+3\s+← env \(API_RETRY_MAX\)/);
    expect(summarize).toMatch(/retry\.backoff\.initialMs\s+2000\s+← strategy:conservative/);
    expect(summarize).toMatch(/timeout\s+10000\s+← file:.*good\.yaml/);
    const qa = section('qa');
    // The preset gives the default strategy; it names no operation of its own.
    expect(qa).toMatch(/strategy\s+"conservative"\s+← preset:production/);
    expect(qa).toMatch(/retry\.maxAttempts\s+3\s+← env \(API_RETRY_MAX\)/);
    expect(qa).toMatch(/timeout\.ms\s+3000\s+← env \(BREAKWATER_OP_QA_TIMEOUT_MS\)/);
    expect(qa).toMatch(/bulkhead\s+false\s+← built-in/);
    expect(stdout).toContain('* (any other operation)');
    expect(run(['explain', good]).stdout).toMatch(/retry\.maxAttempts\s+4\s+← file:.*good\.yaml/);
  });

  it('without a file, from the environment alone; exit 1 with the problems when it does not load', () => {
    const plain = run(['explain'], { NODE_ENV: 'development' });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('environment: development (confidence 0.8)');
    const broken = run(['explain', bad]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('✗ the configuration does not load: 5 problems');
  });
});

describe('as a user runs them: node src/cli/main.ts config …', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'config', ...args], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('validate: 0 for a good file, 1 with the problems for a bad one', () => {
    const ok = cli(['validate', good]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('is valid');
    const ko = cli(['validate', bad]);
    expect(ko.status).toBe(1);
    expect(ko.stdout).toContain('5 problems');
    expect(ko.stdout).toContain('did you mean "strategy"?');
  });

  it('migrate from a .env file', () => {
    const envFile = dir.write('seed.env', 'CIRCUIT_BREAKER_FAILURE_THRESHOLD=5\nAPI_RETRY_MAX=3\n');
    const result = cli(['migrate', '--env-file', envFile]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('maxAttempts: 4');
    expect(result.stdout).toContain('# confidence:');
  });

  it('explain with env vars from the process environment', () => {
    const result = cli(['explain', good], { BREAKWATER_OP_SUMMARIZE_TIMEOUT_MS: '1234' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /timeout\.ms\s+1234\s+← env \(BREAKWATER_OP_SUMMARIZE_TIMEOUT_MS\)/,
    );
  });
});
