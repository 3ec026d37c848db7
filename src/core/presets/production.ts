import type { ResilienceConfig } from '../orchestrator/config.js';

/**
 * Protect users and the providers: conservative by default. Defaults only: a preset names no
 * operation, since it cannot know an application's (give them in `operations` yourself).
 */
export const production: ResilienceConfig = {
  preset: 'production',
  defaults: { strategy: 'conservative' },
  operations: {},
};
