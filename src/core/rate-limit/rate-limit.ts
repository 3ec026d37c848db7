import type { Clock } from '../clock.js';
import { RateLimiterRejectedError } from '../errors/index.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import type { RejectedEvent } from '../outcome-events.js';
import { checkClock, checkInteger, checkPositive, checkOptions } from '../option-checks.js';
import { BasePolicy, RUN, invoke, type ExecutionContext, type Operation } from '../policy.js';
import { TokenBucket } from './token-bucket.js';

export interface RateLimitOptions {
  /** Tokens added per `intervalMs` (a finite number > 0). */
  readonly rate: number;
  /** The interval `rate` refers to, in ms; default 1000. */
  readonly intervalMs?: number;
  /** Most tokens the bucket holds, so the largest burst (an integer ≥ 1); default `ceil(rate)`. */
  readonly burst?: number;
  readonly clock?: Clock;
}

export interface RateLimitEvents {
  /** A call found no token; `retryAfterMs` is when the next whole token arrives. */
  rejected: RejectedEvent<RateLimiterRejectedError>;
}

/**
 * A token bucket in front of the call: tokens refill continuously (`rate / intervalMs` per
 * ms) up to `burst`; a call without a token is rejected at once with `RateLimiterRejectedError`.
 */
export class RateLimit extends BasePolicy {
  readonly rate: number;
  readonly intervalMs: number;
  readonly burst: number;
  private readonly bucket: TokenBucket;
  private events: EventHub<RateLimitEvents> | undefined;

  constructor(options: RateLimitOptions) {
    super(checkClock('rateLimit', checkOptions('rateLimit', options).clock));
    this.rate = checkPositive('rateLimit', 'rate', options.rate);
    this.intervalMs = checkPositive('rateLimit', 'intervalMs', options.intervalMs ?? 1000);
    this.burst = checkInteger('rateLimit', 'burst', options.burst ?? Math.ceil(this.rate), 1);
    this.bucket = new TokenBucket(this.rate, this.intervalMs, this.burst, this.clock.now());
  }

  /** Tokens available now (fractional while one refills). */
  get tokens(): number {
    return this.bucket.tokensAt(this.clock.now());
  }

  onRejected(listener: Listener<RateLimitEvents['rejected']>): Unsubscribe {
    return (this.events ??= new EventHub()).on('rejected', listener);
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    const retryAfterMs = this.bucket.take(this.clock.now());
    if (retryAfterMs === 0) return invoke(fn, ctx);
    const error = new RateLimiterRejectedError(retryAfterMs);
    this.events?.emit('rejected', { error, retryAfterMs });
    return Promise.reject(error);
  }
}

/** A token-bucket rate limiter: `rate` calls per `intervalMs`, bursts up to `burst`. */
export function rateLimit(options: RateLimitOptions): RateLimit {
  return new RateLimit(options);
}
