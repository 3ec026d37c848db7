import { abortSource } from '../call-context.js';
import { sleep } from '../abort.js';
import type { Clock } from '../clock.js';
import { ServiceUnavailableError } from '../errors/index.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import {
  checkClock,
  checkFunction,
  checkNonNegative,
  checkRate,
  fail,
  checkOptions,
} from '../option-checks.js';
import { BasePolicy, RUN, invoke, type ExecutionContext, type Operation } from '../policy.js';

export interface ChaosOptions {
  /** Share of calls that fail without running (0 to 1); default 0. */
  readonly faultRate?: number;
  /** The error a faulty call rejects with, or a function making it; default a `ServiceUnavailableError`. */
  readonly fault?: Error | (() => unknown);
  /** Share of calls delayed by `latencyMs` before they run (0 to 1); default 0. */
  readonly latencyRate?: number;
  /** The injected delay in ms (a finite number ≥ 0); required when `latencyRate` > 0. */
  readonly latencyMs?: number;
  /** Whether anything is injected; a function is read at each call (a live switch). Default true. */
  readonly enabled?: boolean | (() => boolean);
  /** Numbers in [0, 1); inject `seededRandom(seed)` for a replayable experiment. Default `Math.random`. */
  readonly random?: () => number;
  readonly clock?: Clock;
}

export interface ChaosEvents {
  /** A fault was injected: the call rejects with `error` without running. */
  fault: { readonly error: unknown };
  /** The call was delayed by `ms` before running. */
  latency: { readonly ms: number };
}

const defaultFault = (): unknown => new ServiceUnavailableError('chaos: injected fault');

/**
 * Fault and latency injection for tests and game days. With each call it draws from `random`:
 * first whether to delay (`latencyRate`), then whether to fail (`faultRate`). The delay is
 * abortable by the caller's signal.
 */
export class Chaos extends BasePolicy {
  readonly faultRate: number;
  readonly latencyRate: number;
  readonly latencyMs: number;
  private readonly makeFault: () => unknown;
  private readonly enabled: boolean | (() => boolean);
  private readonly random: () => number;
  private events: EventHub<ChaosEvents> | undefined;

  constructor(options: ChaosOptions = {}) {
    super(checkClock('chaos', checkOptions('chaos', options).clock));
    this.faultRate = checkRate('chaos', 'faultRate', options.faultRate ?? 0);
    this.latencyRate = checkRate('chaos', 'latencyRate', options.latencyRate ?? 0);
    if (this.latencyRate > 0 && options.latencyMs === undefined) {
      fail('chaos', 'latencyMs', 'a finite number ≥ 0 when latencyRate > 0', undefined);
    }
    this.latencyMs = checkNonNegative('chaos', 'latencyMs', options.latencyMs ?? 0);
    const fault = options.fault;
    if (fault === undefined) this.makeFault = defaultFault;
    else if (typeof fault === 'function') this.makeFault = fault;
    else if (fault instanceof Error) this.makeFault = () => fault;
    else fail('chaos', 'fault', 'an Error or a function returning one', fault);
    const enabled = options.enabled ?? true;
    if (typeof enabled !== 'boolean' && typeof enabled !== 'function') {
      fail('chaos', 'enabled', 'a boolean or a function returning one', enabled);
    }
    this.enabled = enabled;
    this.random = checkFunction('chaos', 'random', options.random ?? Math.random);
  }

  /** Whether the policy injects anything right now. */
  get isEnabled(): boolean {
    const enabled = this.enabled;
    return typeof enabled === 'boolean' ? enabled : enabled();
  }

  onFault(listener: Listener<ChaosEvents['fault']>): Unsubscribe {
    return this.hub().on('fault', listener);
  }

  onLatency(listener: Listener<ChaosEvents['latency']>): Unsubscribe {
    return this.hub().on('latency', listener);
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    if (!this.isEnabled) return invoke(fn, ctx);
    if (this.latencyRate > 0 && this.random() < this.latencyRate) {
      const ms = this.latencyMs;
      this.events?.emit('latency', { ms });
      return sleep(ms, abortSource(ctx)).then(() => this.maybeFault(fn, ctx));
    }
    return this.maybeFault(fn, ctx);
  }

  private hub(): EventHub<ChaosEvents> {
    return (this.events ??= new EventHub());
  }

  private maybeFault<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    if (this.faultRate > 0 && this.random() < this.faultRate) {
      let error: unknown;
      try {
        error = this.makeFault();
      } catch (thrown) {
        error = thrown;
      }
      this.events?.emit('fault', { error });
      return Promise.reject(error);
    }
    return invoke(fn, ctx);
  }
}

/** A chaos policy: injects faults (`faultRate`) and latency (`latencyRate`, `latencyMs`). */
export function chaos(options: ChaosOptions = {}): Chaos {
  return new Chaos(options);
}
