import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Installs breakwater as a user would — from the tarball `npm pack` makes — into throwaway
// ESM, CommonJS and TypeScript projects, and runs them.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const version = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
).version;

function run(
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(command, args, { cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error === null) done({ stdout, stderr });
      else fail(new Error(`${command} ${args.join(' ')} failed: ${stderr}${stdout}`));
    });
  });
}
const node = (args: readonly string[], cwd: string) => run(process.execPath, args, cwd);

const consumerCode = {
  esm: `import { retry, circuitBreaker } from 'breakwater';
import { fileStore } from 'breakwater/node';
const value = await retry({ maxAttempts: 2 }).execute(() => 42);
console.log(JSON.stringify({ value, state: circuitBreaker({ name: 'x' }).state, fileStore: typeof fileStore }));
`,
  cjs: `const { retry, circuitBreaker } = require('breakwater');
const { fileStore } = require('breakwater/node');
retry({ maxAttempts: 2 }).execute(() => 42).then((value) => {
  console.log(JSON.stringify({ value, state: circuitBreaker({ name: 'x' }).state, fileStore: typeof fileStore }));
});
`,
  ts: `import { retry, circuitBreaker, type CircuitState } from 'breakwater';
const state: CircuitState = circuitBreaker({ name: 'x' }).state;
const value: number = await retry({ maxAttempts: 2 }).execute(() => 42);
console.log(JSON.stringify({ value, state }));
`,
  cts: `import breakwater = require('breakwater');
const state: breakwater.CircuitState = breakwater.circuitBreaker({ name: 'x' }).state;
void breakwater.retry({ maxAttempts: 2 }).execute(() => 42).then((value: number) => {
  console.log(JSON.stringify({ value, state }));
});
`,
};
const expected = { value: 42, state: 'closed' };

let work: string;
let consumer: string;
let files: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'breakwater-pack-'));
  // Build and pack a staged copy, so the repository's own dist/ is never touched mid-suite.
  const stage = join(work, 'stage');
  mkdirSync(stage);
  for (const file of ['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md']) {
    copyFileSync(join(root, file), join(stage, file));
  }
  await node([tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')], root);
  const packed = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
    stage,
  );
  const [manifest] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  files = manifest!.files.map((file) => file.path);

  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    '{ "name": "consumer", "private": true, "type": "module" }\n',
  );
  // Offline: the runtime dependencies are linked from this repository's node_modules (npm
  // dedupes breakwater's own ranges onto them), so the test needs no registry.
  const manifestDeps = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    }
  ).dependencies;
  await run(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      join(work, manifest!.filename),
      ...Object.keys(manifestDeps).map((name) => join(root, 'node_modules', name)),
    ],
    consumer,
  );
}, 240_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('ships the licence and the entry points, not the CLI declarations', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/core/index.js');
    expect(files).toContain('dist/core/index.d.ts');
    expect(files).toContain('dist/cli/main.js');
    expect(files.filter((file) => file.startsWith('dist/cli/') && file.endsWith('.d.ts'))).toEqual(
      [],
    );
  });

  it('ships source maps that carry their sources', () => {
    const maps = files.filter((file) => file.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(10);
    const withoutSources = maps.filter((file) => {
      const map = JSON.parse(
        readFileSync(join(consumer, 'node_modules/breakwater', file), 'utf8'),
      ) as { sources: string[]; sourcesContent?: (string | null)[] };
      return map.sourcesContent?.length !== map.sources.length || map.sourcesContent.includes(null);
    });
    expect(withoutSources).toEqual([]);
  });

  it('runs from an ES module', async () => {
    writeFileSync(join(consumer, 'esm.mjs'), consumerCode.esm);
    const { stdout } = await node(['esm.mjs'], consumer);
    expect(JSON.parse(stdout)).toEqual({ ...expected, fileStore: 'function' });
  });

  it('runs from CommonJS with require()', async () => {
    writeFileSync(join(consumer, 'cjs.cjs'), consumerCode.cjs);
    const { stdout } = await node(['cjs.cjs'], consumer);
    expect(JSON.parse(stdout)).toEqual({ ...expected, fileStore: 'function' });
  });

  it('type-checks and runs from TypeScript under moduleResolution nodenext (.ts and .cts)', async () => {
    const project = join(consumer, 'nodenext');
    mkdirSync(project);
    writeFileSync(join(project, 'main.ts'), consumerCode.ts);
    writeFileSync(join(project, 'require.cts'), consumerCode.cts);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          exactOptionalPropertyTypes: true,
          types: [],
          outDir: 'out',
        },
        include: ['*.ts', '*.cts'],
      }),
    );
    await node([tsc, '-p', project], project);
    for (const file of ['out/main.js', 'out/require.cjs']) {
      const { stdout } = await node([file], project);
      expect(JSON.parse(stdout)).toEqual(expected);
    }
  }, 60_000);

  it('type-checks and runs from TypeScript under moduleResolution bundler', async () => {
    const project = join(consumer, 'bundler');
    mkdirSync(project);
    writeFileSync(join(project, 'main.ts'), consumerCode.ts);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'esnext',
          moduleResolution: 'bundler',
          target: 'es2022',
          strict: true,
          types: [],
          outDir: 'out',
        },
        include: ['*.ts'],
      }),
    );
    await node([tsc, '-p', project], project);
    const { stdout } = await node(['out/main.js'], project);
    expect(JSON.parse(stdout)).toEqual(expected);
  }, 60_000);

  it('installs the CLI, which knows its version', async () => {
    const { stdout } = await node(
      ['node_modules/breakwater/dist/cli/main.js', '--version'],
      consumer,
    );
    expect(stdout.trim()).toBe(version);
  });
});
