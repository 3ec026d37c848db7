/** The states of a circuit breaker, as plain strings so they serialise and compare simply. */
export type CircuitState = 'closed' | 'open' | 'half-open' | 'isolated' | 'disabled';
