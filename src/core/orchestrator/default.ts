import { createResilience } from './resilience.js';

/**
 * The shared orchestrator for applications that need just one: `resilience.wrap(…)`
 * anywhere in the code reaches the same operations, breakers and metrics.
 */
export const resilience = createResilience();
