import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for a gateway process, each paid for by the 1,000-streams row of BENCHMARKS.md
 * ("The gateway"), with the words that mark a user's own choice on the same setting.
 *
 * `--liftoff-only`: undici parses HTTP/1.1 with llhttp compiled to WebAssembly. V8 compiles it
 * with its baseline compiler (Liftoff), then re-compiles the hot parser with TurboFan in the
 * background; that second compilation leaves 10–35 MB resident for the life of the process
 * (compiler memory the allocator keeps), while the baseline code parses as fast for a gateway:
 * an undici client's CPU per streamed response measured the same within noise either way.
 * Read when undici compiles the parser, at the first upstream connection: settable at run time.
 */
const GATEWAY_FLAGS = [
  { flag: '--liftoff-only', setting: ['liftoff', 'wasm-tier-up', 'wasm-dynamic-tiering'] },
] as const;

/** The gateway flags that `given` (node's own command-line flags) says nothing about. */
export function gatewayV8Flags(given: readonly string[]): string[] {
  const spelled = given.map((flag) => flag.replace(/_/g, '-'));
  return GATEWAY_FLAGS.filter(({ setting }) =>
    spelled.every((flag) => !setting.some((word) => flag.includes(word))),
  ).map(({ flag }) => flag);
}

/**
 * Sets the gateway flags before the first upstream connection; a user's own choice stands
 * (`node --no-liftoff-only …/breakwater serve`; node does not take this flag in NODE_OPTIONS).
 */
export function applyGatewayV8Flags(): void {
  for (const flag of gatewayV8Flags(process.execArgv)) setFlagsFromString(flag);
}
