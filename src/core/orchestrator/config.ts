/**
 * The orchestrator's configuration as plain, JSON-able data: what a preset, a config file, an
 * env var or a runtime update can say about an operation. Option names follow the policies'
 * own options (SPEC §2); `false` turns a layer off for the operation.
 */

import type { Backoff, BackoffFunction } from '../backoff/backoff.js';
import type { AdaptiveTimeoutOptions, TimeoutMode } from '../timeout/options.js';

/** The built-in strategies, from quickest to give up to most persistent. */
export type StrategyName = 'aggressive' | 'balanced' | 'conservative' | 'critical';

/** `'none'`, a named jitter, or a fraction (0.1 → ±10 %). */
export type JitterConfig = 'none' | 'full' | 'equal' | 'decorrelated' | number;

export type BackoffConfig =
  | {
      readonly kind: 'exponential';
      readonly initialMs?: number;
      readonly multiplier?: number;
      readonly maxMs?: number;
      readonly jitter?: JitterConfig;
    }
  | { readonly kind: 'constant'; readonly delayMs: number; readonly jitter?: JitterConfig }
  | {
      readonly kind: 'linear';
      readonly initialMs?: number;
      readonly stepMs?: number;
      readonly maxMs?: number;
      readonly jitter?: JitterConfig;
    }
  /** In code (not in a file): what `retry({ backoff })` accepts, a backoff or `(attempt, error) => ms`. */
  | Backoff
  | BackoffFunction;

export interface RetryConfig {
  /** Total attempts, the first call included. */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffConfig;
  /** Stop retrying once this much time has passed since the first attempt. */
  readonly maxElapsedMs?: number;
  readonly respectRetryAfter?: boolean;
}

export type TripConfig =
  | { readonly kind: 'consecutive'; readonly threshold: number }
  | {
      readonly kind: 'failure-rate';
      readonly threshold?: number;
      readonly minimumCalls?: number;
      readonly window?:
        | { readonly kind: 'count'; readonly size: number }
        | { readonly kind: 'time'; readonly ms: number };
      readonly slowCall?: { readonly ms: number; readonly rateThreshold: number };
    };

export interface CircuitBreakerConfig {
  readonly trip?: TripConfig;
  /** How long the circuit stays open before it lets a probe through. */
  readonly openMs?: number;
  readonly halfOpen?: { readonly maxCalls?: number; readonly successesToClose?: number };
}

/**
 * Milliseconds, or the full timeout options: a fixed `ms` or an `adaptive` deadline. An
 * operation's timeout is `'aggressive'` unless it says otherwise: the caller's wait ends at
 * the deadline whether or not the function honours its signal (`resilience.signal()`).
 */
export type TimeoutConfig =
  | number
  | { readonly ms: number; readonly mode?: TimeoutMode }
  | { readonly adaptive: AdaptiveTimeoutOptions; readonly mode?: TimeoutMode };

export interface BulkheadConfig {
  readonly maxConcurrent: number;
  readonly maxQueue?: number;
}

export interface RateLimitConfig {
  readonly rate: number;
  readonly intervalMs?: number;
  readonly burst?: number;
}

/**
 * The limits of the operation's streaming calls (`wrapStream`, SPEC §9); `isComplete`, being
 * code, is given to `wrapStream` itself.
 */
export interface StreamConfig {
  /** How long an attempt may take to deliver its first chunk. */
  readonly firstChunkMs?: number;
  /** After the first chunk, the longest wait for the next one. */
  readonly idleMs?: number;
}

/**
 * When an operation's fallback (given in code to `wrap`/`execute`) answers instead of failing.
 * Defaults: when the circuit is open, when transient failures exhaust the retries, and when a
 * bulkhead or rate limit rejects the call — never for a permanent error.
 */
export interface FallbackConfig {
  readonly whenOpen?: boolean;
  readonly whenExhausted?: boolean;
  readonly whenRejected?: boolean;
  readonly whenPermanent?: boolean;
}

/** One operation's settings; every field overrides the strategy's. */
export interface OperationConfig {
  readonly strategy?: StrategyName;
  readonly retry?: RetryConfig | false;
  readonly circuitBreaker?: CircuitBreakerConfig | false;
  readonly timeout?: TimeoutConfig | false;
  readonly bulkhead?: BulkheadConfig | false;
  readonly rateLimit?: RateLimitConfig | false;
  readonly fallback?: FallbackConfig | false;
  readonly stream?: StreamConfig | false;
}

/**
 * A whole configuration (also the shape of a preset and of a config file). Settings apply
 * from general to specific: the strategy, then `defaults`, then what the code passed to
 * `wrap`, then `operations[name]`.
 */
export interface ResilienceConfig {
  /** The preset this configuration was built from, when it names one. */
  readonly preset?: string;
  readonly defaults?: OperationConfig;
  readonly operations: { readonly [name: string]: OperationConfig };
}
