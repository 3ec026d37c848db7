import type { Preset } from './preset.js';

/** One balanced strategy for everything: the starting point when nothing else is known. */
export const simple: Preset = {
  defaults: { strategy: 'balanced' },
  operations: {},
};
