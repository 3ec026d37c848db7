import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Each layer and the layers it may import (SPEC §1); `cli` stands above everything. */
const allowed: Record<string, readonly string[]> = {
  core: [],
  node: ['core'],
  redis: ['core'],
  prometheus: ['core'],
  otel: ['core'],
  http: ['core', 'node'],
  // redis: only loaded (dynamic import) when the config names a Redis store.
  gateway: ['core', 'node', 'http', 'redis'],
  cli: ['core', 'node', 'redis', 'prometheus', 'otel', 'http', 'gateway'],
};
const allowedPackages: Record<string, readonly string[]> = {
  core: [],
  node: ['node:*', 'zod', 'js-yaml'],
  redis: ['ioredis', 'node:*'],
  prometheus: ['prom-client'],
  otel: ['@opentelemetry/api'],
  http: ['node:*'],
  gateway: ['undici', 'zod', 'node:*'],
  cli: ['*'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return specifiers.map((match) => match[1] ?? '');
}

const layerOf = (file: string): string => relative(srcRoot, file).split(sep)[0] ?? '';

function packageAllowed(layer: string, specifier: string): boolean {
  const rules = allowedPackages[layer] ?? [];
  return rules.some(
    (rule) =>
      rule === '*' ||
      rule === specifier ||
      specifier.startsWith(`${rule}/`) ||
      (rule === 'node:*' && specifier.startsWith('node:')),
  );
}

describe('layering (SPEC §1)', () => {
  const files = sourceFiles(srcRoot);

  it('finds the source tree', () => {
    expect(files.some((file) => layerOf(file) === 'core')).toBe(true);
  });

  it('every layer is a known one', () => {
    const unknown = files.map(layerOf).filter((layer) => !(layer in allowed));
    expect(unknown).toEqual([]);
  });

  it('no layer imports a layer above it, and core imports no package and no node: module', () => {
    const violations: string[] = [];
    for (const file of files) {
      const layer = layerOf(file);
      for (const specifier of importsOf(file)) {
        if (specifier.startsWith('.')) {
          const target = layerOf(resolve(dirname(file), specifier));
          if (target !== layer && !(allowed[layer] ?? []).includes(target)) {
            violations.push(`${relative(srcRoot, file)} imports ${specifier} (layer ${target})`);
          }
        } else if (!packageAllowed(layer, specifier)) {
          violations.push(`${relative(srcRoot, file)} imports package ${specifier}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
