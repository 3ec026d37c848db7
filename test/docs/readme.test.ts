import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

/** Where each public entry point's source lives. */
const entries: Record<string, string> = {
  breakwater: '../../src/core/index.js',
  'breakwater/node': '../../src/node/index.js',
  'breakwater/redis': '../../src/redis/index.js',
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
