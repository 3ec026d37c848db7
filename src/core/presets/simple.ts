import type { ResilienceConfig } from '../orchestrator/config.js';

/** One balanced strategy for everything: the starting point when nothing else is known. */
export const simple: ResilienceConfig = {
  preset: 'simple',
  defaults: { strategy: 'balanced' },
  operations: {},
};
