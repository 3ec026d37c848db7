import type { ResilienceConfig } from '../orchestrator/config.js';

/** One balanced strategy for everything: the starting point when nothing else is known. */
export const simple: ResilienceConfig = {
  defaults: { strategy: 'balanced' },
  operations: {},
};
