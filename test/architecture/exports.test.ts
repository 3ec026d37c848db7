import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Pins every name each entry point exports, values and types alike, so that growing (or
// shrinking) the public surface is a deliberate edit of exports.json, reviewed like code.
// After a deliberate change: UPDATE_EXPORTS=1 npx vitest run test/architecture/exports.test.ts

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pinnedFile = join(root, 'test/architecture/exports.json');

interface Surface {
  values: string[];
  types: string[];
}

/** `breakwater/x` → its source file, read from package.json's `exports` map. */
function entryPoints(): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, { import?: string } | string>;
  };
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    if (typeof target === 'string' || target.import === undefined) continue;
    const name = subpath === '.' ? 'breakwater' : `breakwater/${subpath.slice(2)}`;
    entries.set(
      name,
      join(root, target.import.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')),
    );
  }
  return entries;
}

function surfaces(): Record<string, Surface> {
  const entries = entryPoints();
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  );
  const program = ts.createProgram([...entries.values()], config?.options ?? {});
  const checker = program.getTypeChecker();
  const result: Record<string, Surface> = {};
  for (const [name, file] of entries) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    const surface: Surface = { values: [], types: [] };
    for (const symbol of moduleSymbol === undefined
      ? []
      : checker.getExportsOfModule(moduleSymbol)) {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const isValue = (target.flags & ts.SymbolFlags.Value) !== 0 && !isTypeOnly(symbol);
      (isValue ? surface.values : surface.types).push(symbol.name);
    }
    surface.values.sort();
    surface.types.sort();
    result[name] = surface;
  }
  return result;
}

/** An `export type { X }` of a class exports only its type. */
function isTypeOnly(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some(
    (declaration) =>
      (ts.isExportSpecifier(declaration) &&
        (declaration.isTypeOnly || declaration.parent.parent.isTypeOnly)) ||
      (ts.isExportDeclaration(declaration) && declaration.isTypeOnly),
  );
}

describe('the public surface', () => {
  it('every entry point exports exactly the pinned names', () => {
    const actual = surfaces();
    if (process.env['UPDATE_EXPORTS'] === '1') {
      writeFileSync(pinnedFile, `${JSON.stringify(actual, null, 2)}\n`);
    }
    const pinned = JSON.parse(readFileSync(pinnedFile, 'utf8')) as Record<string, Surface>;
    expect(actual).toEqual(pinned);
  }, 60_000);

  it('the pinned values are what each entry point holds at run time', async () => {
    const pinned = JSON.parse(readFileSync(pinnedFile, 'utf8')) as Record<string, Surface>;
    for (const [name, file] of entryPoints()) {
      const module = (await import(file)) as Record<string, unknown>;
      expect({ [name]: Object.keys(module).sort() }).toEqual({ [name]: pinned[name]?.values });
    }
  }, 60_000);
});
