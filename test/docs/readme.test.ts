import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

/** Where each public entry point's source lives. */
const entries: Record<string, string> = {
  breakwater: '../../src/core/index.js',
  'breakwater/node': '../../src/node/index.js',
  'breakwater/redis': '../../src/redis/index.js',
  'breakwater/prometheus': '../../src/prometheus/index.js',
  'breakwater/otel': '../../src/otel/index.js',
  'breakwater/http': '../../src/http/index.js',
  'breakwater/http/express': '../../src/http/express.js',
  'breakwater/http/fastify': '../../src/http/fastify.js',
  'breakwater/gateway': '../../src/gateway/index.js',
};

const imports = [...readme.matchAll(/import\s*\{([^}]+)\}\s*from\s*'([^']+)'/g)].map((match) => ({
  names: (match[1] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0),
  from: match[2] ?? '',
}));

describe('README examples', () => {
  it('import from the package entry points only', () => {
    expect(imports.length).toBeGreaterThan(5);
    expect(imports.map((i) => i.from).filter((from) => !(from in entries))).toEqual([]);
  });

  it('import only names that the entry points export', async () => {
    const missing: string[] = [];
    for (const { names, from } of imports) {
      const module = (await import(entries[from] ?? '')) as Record<string, unknown>;
      for (const name of names) if (!(name in module)) missing.push(`${name} from ${from}`);
    }
    expect(missing).toEqual([]);
  });
});

/**
 * The names README examples use without defining them: the reader's own code. Declared
 * here (not in a .d.ts the project includes) so they exist only for the examples.
 */
const freeNames = `
type Order = { id: string };
interface Summary { text: string; degraded?: boolean }
interface Analysis { label: string }
declare const order: Order;
declare const request: { signal: AbortSignal };
declare function charge(order: Order, options: { signal: AbortSignal; idempotencyKey?: string }): Promise<{ id: string }>;
declare const log: { info(...args: unknown[]): void; warn(...args: unknown[]): void; error(...args: unknown[]): void };
declare const url: string;
declare function slowQuery(options: { signal: AbortSignal }): Promise<number>;
declare const photo: Uint8Array;
declare function smallModel(photo: Uint8Array, signal: AbortSignal): Promise<Analysis>;
declare function bigModel(photo: Uint8Array, signal: AbortSignal): Promise<Analysis>;
declare function fetchPrices(): Promise<Record<string, number>>;
declare function callModel(text: string): Promise<string>;
declare function lookup(id: string): Promise<string>;
declare const cache: Map<string, string>;
declare const exporter: { record(event: unknown): void };
declare const pool: { query(sql: string, options: { signal: AbortSignal }): Promise<unknown> };
declare function alert(message: string): void;
declare function resolveAlert(): void;
declare const broker: { connect(options: { signal: AbortSignal }): Promise<void> };
declare const network: { on(event: string, listener: () => void): void };
declare const OLLAMA: string;
declare let answer: (question: string) => Promise<string>;
declare function askLocalModel(question: string): Promise<string>;
declare function cannedAnswer(question: string): Promise<string>;
declare const resilience: import('breakwater').Resilience;
declare const metrics: import('breakwater/http').MetricsSource;
declare const db: { isReady: boolean };
declare const token: string;
declare const model: string;
declare const anthropic: import('@anthropic-ai/sdk').default;
declare const messages: import('@anthropic-ai/sdk').default.MessageParam[];
declare const registry: import('prom-client').Registry;
declare const otelMetrics: { getMeter(name: string): import('@opentelemetry/api').Meter };
declare function backupModel(prompt: string, signal: AbortSignal): AsyncIterable<never>;
declare const openai: {
  responses: {
    create(body: { model: string; input: string }, options: { signal: AbortSignal }): Promise<unknown>;
  };
};
declare const expressApp: import('express').Express;
declare const fastifyApp: import('fastify').FastifyInstance;
`;

describe('README examples type-check', () => {
  it('every ```ts block compiles under the project’s own compiler options', async () => {
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    expect(blocks.length).toBeGreaterThan(5);
    // Inside node_modules, so the examples' own packages (openai, pino, …) resolve.
    const cache = join(root, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'breakwater-readme-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
      writeFileSync(join(dir, 'free-names.d.ts'), freeNames);
      blocks.forEach((code, index) => writeFileSync(join(dir, `example-${index}.ts`), code));
      // Each entry point's name maps to its source, as the README imports it.
      const paths = Object.fromEntries(
        Object.entries(entries).map(([name, file]) => [
          name,
          [resolve(dirname(fileURLToPath(import.meta.url)), file).replace(/\.js$/, '.ts')],
        ]),
      );
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: resolve(root, 'tsconfig.json'),
          compilerOptions: {
            noEmit: true,
            rootDir: '/',
            typeRoots: [resolve(root, 'node_modules/@types')],
            baseUrl: root,
            // Examples are fragments: a value shown but not used is the point, not a slip.
            noUnusedLocals: false,
            noUnusedParameters: false,
            paths,
          },
          include: ['*.ts'],
        }),
      );
      const result = await new Promise<{ ok: boolean; output: string }>((done) => {
        execFile(
          process.execPath,
          [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', dir, '--pretty', 'false'],
          { cwd: dir, timeout: 120_000 },
          (error, stdout, stderr) => done({ ok: error === null, output: `${stdout}${stderr}` }),
        );
      });
      // Each error names the example (the ```ts block, counted from 0) and its line.
      expect(result.output.replaceAll(`${dir}/`, '')).toBe('');
      expect(result.ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
