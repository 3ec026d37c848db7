import { CountWindow } from './count-window.js';
import type { RateLimits } from './rate-verdict.js';
import { TimeWindow } from './time-window.js';
import type {
  SlowCallOptions,
  TripDescription,
  TripStrategy,
  TripWindow,
  TripWindowOptions,
} from './trip.js';
import {
  checkInteger,
  checkNonNegative,
  checkNumber,
  checkOptions,
  fail,
} from '../option-checks.js';

export interface FailureRateOptions {
  /** Share of failed calls in the window that opens the breaker, in (0, 1]. Default 0.5. */
  readonly threshold?: number;
  /** Calls the window must hold before any rate is judged. Default 20. */
  readonly minimumCalls?: number;
  /** Default `{ kind: 'count', size: 100 }`. */
  readonly window?: TripWindowOptions;
  /** Also open when the share of calls slower than `ms` reaches `rateThreshold`. */
  readonly slowCall?: SlowCallOptions;
}

const WHERE = 'failureRate';
/** A share of calls: more than none, at most all. */
const RATE = { min: 0, above: true, max: 1 } as const;

/** The largest count window: a million calls. */
const MAX_COUNT_WINDOW = 1_000_000;

function checkWindow(window: TripWindowOptions): TripWindowOptions {
  const given = window as { kind?: unknown; size?: unknown; ms?: unknown } | undefined;
  const kind = given?.kind;
  if (kind === 'count') {
    // One byte per call: a bigger ring is memory for no better judgement.
    const size = checkNumber(WHERE, 'window.size', given?.size, {
      min: 1,
      max: MAX_COUNT_WINDOW,
      integer: true,
    });
    return { kind, size };
  }
  if (kind === 'time') return { kind, ms: checkNumber(WHERE, 'window.ms', given?.ms, { min: 1 }) };
  return fail(WHERE, 'window.kind', "'count' or 'time'", kind);
}

/**
 * Opens the breaker when, over a window of recent calls holding at least `minimumCalls`,
 * the share of failures reaches `threshold` — or, with `slowCall`, the share of slow calls
 * reaches `slowCall.rateThreshold`. Rates are judged after every counted call.
 */
export function failureRate(options: FailureRateOptions = {}): TripStrategy {
  checkOptions(WHERE, options);
  const threshold = checkNumber(WHERE, 'threshold', options.threshold ?? 0.5, RATE);
  const minimumCalls = checkInteger(WHERE, 'minimumCalls', options.minimumCalls ?? 20, 1);
  const window = checkWindow(options.window ?? { kind: 'count', size: 100 });
  if (window.kind === 'count' && minimumCalls > window.size) {
    throw new RangeError(
      `${WHERE}: minimumCalls must be ≤ window.size (${window.size}) or the breaker can never open, got ${minimumCalls}`,
    );
  }
  let slowCall: SlowCallOptions | undefined;
  if (options.slowCall !== undefined) {
    if (typeof options.slowCall !== 'object' || options.slowCall === null) {
      fail(WHERE, 'slowCall', 'an object { ms, rateThreshold }', options.slowCall);
    }
    slowCall = {
      ms: checkNonNegative(WHERE, 'slowCall.ms', options.slowCall.ms),
      rateThreshold: checkNumber(
        WHERE,
        'slowCall.rateThreshold',
        options.slowCall.rateThreshold,
        RATE,
      ),
    };
  }
  return new FailureRateTrip(
    { threshold, minimumCalls, slowRateThreshold: slowCall?.rateThreshold ?? Infinity },
    window,
    slowCall,
  );
}

class FailureRateTrip implements TripStrategy {
  constructor(
    private readonly limits: RateLimits,
    private readonly window: TripWindowOptions,
    private readonly slowCall: SlowCallOptions | undefined,
  ) {}

  get slowCallMs(): number {
    return this.slowCall?.ms ?? Infinity;
  }

  get needsTime(): boolean {
    return this.window.kind === 'time';
  }

  get description(): TripDescription {
    const { threshold, minimumCalls } = this.limits;
    const base = { kind: 'failure-rate' as const, threshold, minimumCalls, window: this.window };
    return this.slowCall === undefined ? base : { ...base, slowCall: this.slowCall };
  }

  createWindow(): TripWindow {
    const window = this.window;
    return window.kind === 'count'
      ? new CountWindow(window.size, this.limits)
      : new TimeWindow(window.ms, this.limits);
  }
}
