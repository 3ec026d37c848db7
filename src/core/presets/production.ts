import type { ResilienceConfig } from '../orchestrator/config.js';

/**
 * Protect users and the providers: conservative by default, the user-facing question
 * answering gets every chance, cheap classifications fail fast to their fallbacks.
 */
export const production: ResilienceConfig = {
  preset: 'production',
  defaults: { strategy: 'conservative' },
  operations: {
    qa: { strategy: 'critical' },
    summarize: { strategy: 'conservative' },
    sentiment: { strategy: 'aggressive' },
    key_points: { strategy: 'balanced' },
    questions: { strategy: 'balanced' },
  },
};
