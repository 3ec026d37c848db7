import { describe, expect, it } from 'vitest';
import { gatewayV8Flags } from '../../src/cli/serve/v8-flags.js';

describe('breakwater serve: the V8 flags it sets for a gateway process', () => {
  it('keeps undici’s WebAssembly HTTP parser on the baseline compiler by default', () => {
    expect(gatewayV8Flags([])).toEqual(['--liftoff-only']);
    expect(gatewayV8Flags(['--max-old-space-size=512', '--enable-source-maps'])).toEqual([
      '--liftoff-only',
    ]);
  });

  it('leaves the setting alone when the user chose one, in either spelling', () => {
    for (const given of [
      ['--no-liftoff-only'],
      ['--liftoff_only'],
      ['--wasm-tier-up'],
      ['--no-wasm_dynamic_tiering'],
    ]) {
      expect(gatewayV8Flags(given)).toEqual([]);
    }
  });
});
