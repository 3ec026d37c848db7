/** The states of a circuit breaker, as plain strings so they serialise and compare simply. */
export type CircuitState = 'closed' | 'open' | 'half-open' | 'isolated' | 'disabled';

/** Every state, in the order of their codes: what per-state gauges enumerate. */
export const circuitStates: readonly CircuitState[] = [
  'closed',
  'open',
  'half-open',
  'isolated',
  'disabled',
];
