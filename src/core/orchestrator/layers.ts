import { constant, customBackoff, exponential, linear, type Backoff } from '../backoff/index.js';
import { fail } from '../option-checks.js';
import { circuitBreaker, type CircuitBreaker } from '../breaker/circuit-breaker.js';
import { consecutive } from '../breaker/consecutive.js';
import { failureRate } from '../breaker/failure-rate.js';
import type { CircuitStore } from '../breaker/store.js';
import type { TripStrategy } from '../breaker/trip.js';
import { bulkhead } from '../bulkhead/bulkhead.js';
import type { CircuitState } from '../breaker/state.js';
import type { Clock } from '../clock.js';
import { isLocalRejection, type ConfigProblem } from '../errors/index.js';
import type { Unsubscribe } from '../events.js';
import { pipeline } from '../pipeline.js';
import type { ComposablePolicy, Policy } from '../policy.js';
import { rateLimit } from '../rate-limit/rate-limit.js';
import { retry, type RetryPolicy } from '../retry/index.js';
import { streamLimits, type StreamLimits } from '../stream/options.js';
import { timeout } from '../timeout/index.js';
import type {
  BackoffConfig,
  CircuitBreakerConfig,
  JitterConfig,
  RetryConfig,
  TripConfig,
} from './config.js';
import { sameData, type ResolvedConfig } from './resolve.js';

/** An operation's policies, built from one resolved configuration and replaced as a whole. */
export interface Layers {
  readonly resolved: ResolvedConfig;
  /** rate limit → bulkhead → retry → breaker → timeout, the layers that are on; none when all are off. */
  readonly policy: ComposablePolicy | undefined;
  readonly breaker: CircuitBreaker | undefined;
  /** The limits of streaming calls (`wrapStream`); none when the configuration sets none. */
  readonly stream: StreamLimits | undefined;
  /**
   * Retires these layers: removes the listeners they hold on behalf of the operation and
   * disposes their breaker (which detaches it from the store) — unless `successor`, the
   * layers that replace them, kept that breaker.
   */
  detach(successor?: Layers): void;
}

export interface LayerEnv {
  readonly clock: Clock;
  readonly store: CircuitStore | undefined;
  /** The caller's own classification, when given; the policies' defaults apply otherwise. */
  readonly isTransient: ((error: unknown) => boolean) | undefined;
}

/** Where the layers report to the operation's metrics and observers. */
export interface LayerHooks {
  onRetry(attempt: number, delayMs: number, error: unknown): void;
  onStateChange(from: CircuitState, to: CircuitState): void;
}

/** A backoff from data (by `kind`), or the one given in code as it is: never silently the default. */
function backoffFrom(config: BackoffConfig): Backoff {
  if (typeof config === 'function') return customBackoff(config);
  if (typeof (config as Partial<Backoff> | null)?.delayMs === 'function') return config as Backoff;
  const kind = (config as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case 'exponential':
      return exponential(config);
    case 'constant': {
      const { delayMs, jitter } = config as { delayMs: number; jitter?: JitterConfig };
      return constant(delayMs, jitter === undefined ? {} : { jitter });
    }
    case 'linear':
      return linear(config);
    default:
      return fail(
        'retry',
        'backoff',
        "{ kind: 'exponential' | 'constant' | 'linear', … }, a backoff or a function (attempt, error) => ms",
        config,
      );
  }
}

function tripFrom(config: TripConfig): TripStrategy {
  return config.kind === 'consecutive' ? consecutive(config.threshold) : failureRate(config);
}

function buildRetry(config: RetryConfig, env: LayerEnv): RetryPolicy {
  const { isTransient } = env;
  return retry({
    ...(config.maxAttempts === undefined ? {} : { maxAttempts: config.maxAttempts }),
    ...(config.backoff === undefined ? {} : { backoff: backoffFrom(config.backoff) }),
    ...(config.maxElapsedMs === undefined ? {} : { maxElapsedMs: config.maxElapsedMs }),
    ...(config.respectRetryAfter === undefined
      ? {}
      : { respectRetryAfter: config.respectRetryAfter }),
    ...(isTransient === undefined
      ? {}
      : { retryOn: (error: unknown) => isTransient(error) && !isLocalRejection(error) }),
    clock: env.clock,
  });
}

function buildBreaker(
  name: string,
  config: CircuitBreakerConfig,
  env: LayerEnv,
  previous: CircuitBreaker | undefined,
): CircuitBreaker {
  return circuitBreaker({
    name,
    ...(config.trip === undefined ? {} : { trip: tripFrom(config.trip) }),
    ...(config.openMs === undefined ? {} : { openMs: config.openMs }),
    ...(config.halfOpen === undefined ? {} : { halfOpen: config.halfOpen }),
    ...(env.store === undefined ? {} : { store: env.store }),
    ...(env.isTransient === undefined ? {} : { isFailure: env.isTransient }),
    ...(previous === undefined ? {} : { initialState: previous.toJSON() }),
    clock: env.clock,
  });
}

const problem = (path: string, value: unknown, error: unknown): ConfigProblem => ({
  path,
  message: error instanceof Error ? error.message : String(error),
  value,
  expected: 'options the policy accepts',
});

/**
 * Builds every layer an operation's configuration turns on, or reports every option a
 * policy refused (with its path) without building anything half-way. A breaker whose
 * settings did not change is kept as it is; one whose settings changed starts from the
 * previous one's state.
 */
export function buildLayers(
  name: string,
  resolved: ResolvedConfig,
  env: LayerEnv,
  hooks: LayerHooks,
  previous: Layers | undefined,
): Layers | ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const attempt = <T>(path: string, value: unknown, build: () => T): T | undefined => {
    try {
      return build();
    } catch (error) {
      problems.push(problem(`operations.${name}.${path}`, value, error));
      return undefined;
    }
  };
  const { retry: retryConfig, circuitBreaker: breakerConfig } = resolved;
  const { rateLimit: rateConfig, bulkhead: bulkConfig } = resolved;
  const limiter =
    rateConfig === false
      ? undefined
      : attempt('rateLimit', resolved.rateLimit, () =>
          rateLimit({ ...rateConfig, clock: env.clock }),
        );
  const bulk =
    bulkConfig === false
      ? undefined
      : attempt('bulkhead', resolved.bulkhead, () => bulkhead({ ...bulkConfig, clock: env.clock }));
  const retrier =
    retryConfig === false
      ? undefined
      : attempt('retry', retryConfig, () => buildRetry(retryConfig, env));
  let breaker: CircuitBreaker | undefined;
  if (breakerConfig !== false) {
    const kept =
      previous?.breaker !== undefined &&
      previous.resolved.circuitBreaker !== false &&
      sameData(previous.resolved.circuitBreaker, breakerConfig);
    breaker = kept
      ? previous.breaker
      : attempt('circuitBreaker', breakerConfig, () =>
          buildBreaker(name, breakerConfig, env, previous?.breaker),
        );
  }
  const timeoutConfig = resolved.timeout;
  const limit =
    timeoutConfig === false
      ? undefined
      : attempt('timeout', timeoutConfig, () =>
          // Aggressive unless configured otherwise: a wrapped function is not handed its
          // signal, so a cooperative wait could outlast the deadline by the function's whole run.
          timeout(
            typeof timeoutConfig === 'number'
              ? { ms: timeoutConfig, mode: 'aggressive', clock: env.clock }
              : { mode: 'aggressive', ...timeoutConfig, clock: env.clock },
          ),
        );
  const streamConfig = resolved.stream;
  const streaming =
    streamConfig === false
      ? undefined
      : attempt('stream', streamConfig, () =>
          streamLimits('stream', { ...streamConfig, clock: env.clock }),
        );
  if (problems.length > 0) {
    // A breaker built for these layers is already attached to the store: let it go.
    if (breaker !== previous?.breaker) breaker?.dispose();
    return problems;
  }

  const unsubscribers: Unsubscribe[] = [];
  if (retrier !== undefined) {
    unsubscribers.push(
      retrier.onRetry((event) => hooks.onRetry(event.attempt, event.delayMs, event.error)),
    );
  }
  if (breaker !== undefined) {
    unsubscribers.push(breaker.onStateChange((event) => hooks.onStateChange(event.from, event.to)));
  }
  const policies: Policy[] = [limiter, bulk, retrier, breaker, limit].filter(
    (policy): policy is NonNullable<typeof policy> => policy !== undefined,
  );
  return {
    resolved,
    // breakwater's own policies, and so their pipeline, always compose.
    policy:
      policies.length === 0 ? undefined : (pipeline(...policies) as unknown as ComposablePolicy),
    breaker,
    stream: streaming,
    detach: (successor) => {
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      if (breaker !== successor?.breaker) breaker?.dispose();
    },
  };
}
