import { failChoice } from '../option-checks.js';
import type { CircuitBreakerConfig, RetryConfig, StrategyName } from './config.js';

/** A strategy's full settings, as plain data. */
export interface Strategy {
  readonly name: StrategyName;
  readonly retry: RetryConfig & { readonly maxAttempts: number };
  readonly circuitBreaker: CircuitBreakerConfig & { readonly openMs: number };
}

/**
 * The four built-in strategies. From `aggressive` to `critical`, each one tries harder
 * before giving up (2, 3, 5, 7 attempts), waits longer between attempts, tolerates more
 * consecutive failures before opening its breaker and leaves the service alone for longer.
 * `critical` keeps trying the longest, but its circuit reopens for a probe sooner than
 * `conservative`'s: a critical path wants to know quickly that the service is back.
 */
export const strategies: { readonly [N in StrategyName]: Strategy & { readonly name: N } } =
  Object.freeze({
    aggressive: {
      name: 'aggressive',
      retry: {
        maxAttempts: 2,
        backoff: { kind: 'exponential', initialMs: 250, multiplier: 2, maxMs: 2_000, jitter: 0.1 },
      },
      circuitBreaker: {
        trip: { kind: 'consecutive', threshold: 3 },
        openMs: 30_000,
        halfOpen: { maxCalls: 1, successesToClose: 1 },
      },
    },
    balanced: {
      name: 'balanced',
      retry: {
        maxAttempts: 3,
        backoff: {
          kind: 'exponential',
          initialMs: 1_000,
          multiplier: 2,
          maxMs: 10_000,
          jitter: 0.1,
        },
      },
      circuitBreaker: {
        trip: { kind: 'consecutive', threshold: 5 },
        openMs: 60_000,
        halfOpen: { maxCalls: 1, successesToClose: 1 },
      },
    },
    conservative: {
      name: 'conservative',
      retry: {
        maxAttempts: 5,
        backoff: {
          kind: 'exponential',
          initialMs: 2_000,
          multiplier: 2,
          maxMs: 30_000,
          jitter: 0.1,
        },
      },
      circuitBreaker: {
        trip: { kind: 'consecutive', threshold: 8 },
        openMs: 120_000,
        halfOpen: { maxCalls: 1, successesToClose: 2 },
      },
    },
    critical: {
      name: 'critical',
      retry: {
        maxAttempts: 7,
        backoff: {
          kind: 'exponential',
          initialMs: 1_000,
          multiplier: 2,
          maxMs: 30_000,
          jitter: 0.1,
        },
      },
      circuitBreaker: {
        trip: { kind: 'consecutive', threshold: 10 },
        openMs: 30_000,
        halfOpen: { maxCalls: 2, successesToClose: 2 },
      },
    },
  });

export const strategyNames: readonly StrategyName[] = Object.freeze(
  Object.keys(strategies) as StrategyName[],
);

/** The strategy a name or a strategy object stands for; an unknown name throws, listing the valid ones. */
export function resolveStrategy(strategy: StrategyName | Strategy): Strategy {
  if (typeof strategy === 'object' && strategy !== null) return strategy;
  const found = Object.hasOwn(strategies, strategy) ? strategies[strategy] : undefined;
  if (found === undefined) {
    failChoice('resilience', 'strategy', strategyNames, strategy);
  }
  return found;
}
