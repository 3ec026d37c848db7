import type { ResilienceConfig } from '../orchestrator/config.js';

/**
 * Fail fast while developing: few retries, and breakers that close again after a few
 * seconds so that a restarted local service is usable at once. Defaults only, like every
 * preset.
 */
export const development: ResilienceConfig = {
  preset: 'development',
  defaults: { strategy: 'aggressive', circuitBreaker: { openMs: 5_000 } },
  operations: {},
};
