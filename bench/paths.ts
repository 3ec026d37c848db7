import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the bench runs from. `npm run bench` runs it compiled by tsc (`.bench-build/`), as
 * users run the package: a TypeScript loader such as tsx transpiles with esbuild's
 * `keepNames`, which adds a property definition to every named function created at run
 * time — breakwater's closures paid it while cockatiel and opossum, loaded as plain
 * JavaScript from node_modules, did not.
 */
const here = fileURLToPath(import.meta.url);

/** The extension of the bench's own modules: `.js` compiled, `.ts` under a TypeScript loader. */
export const moduleExtension = extname(here);

/** Node's arguments that load one of the bench's own modules in a child process. */
export const loaderArgs: readonly string[] = moduleExtension === '.ts' ? ['--import', 'tsx'] : [];

/** The repository's root: the nearest folder above with a package.json. */
export const repoRoot = ((): string => {
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${here}`);
    dir = up;
  }
  return dir;
})();
