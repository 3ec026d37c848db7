import { TimeoutError } from '../errors/classes.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import { BasePolicy, RUN, invoke, type ExecutionContext, type Operation } from '../policy.js';
import { callerAbort } from '../call-context.js';
import { AdaptiveDeadline } from './adaptive-deadline.js';
import { DeadlineQueue } from './deadline-queue.js';
import { validateTimeoutOptions, type TimeoutMode, type TimeoutOptions } from './options.js';
import {
  AggressiveCall,
  CooperativeCall,
  type TimedCall,
  type TimedCallOwner,
} from './timed-call.js';

/** Emitted when a call runs past its deadline. */
export interface TimeoutEvent {
  readonly ms: number;
  readonly mode: TimeoutMode;
  /** The attempt that timed out (1 for the first call). */
  readonly attempt: number;
  readonly operation: string | undefined;
}

interface TimeoutEvents {
  timeout: TimeoutEvent;
}

/**
 * Bounds each call to `ms` milliseconds. A call past its deadline rejects with a
 * `TimeoutError`; the function's `ctx.signal` aborts with that error. All calls share one
 * timer (see DeadlineQueue), and a function that never reads `ctx.signal` costs no
 * AbortController.
 */
export class TimeoutPolicy extends BasePolicy {
  /** The deadline of every call; with `adaptive`, the longest one (its `maxMs`). */
  readonly ms: number;
  readonly mode: TimeoutMode;
  private readonly queue: DeadlineQueue;
  private readonly adaptive: AdaptiveDeadline | undefined;
  /** Cooperative: how long past its deadline a call may take to stop; undefined means its own ms. */
  private readonly graceMs: number | undefined;
  /** Cut-short calls whose grace is running (they share the deadline queue). */
  private graces = 0;
  /** What the policy's calls may ask of it; kept off the public face. */
  private readonly owner: TimedCallOwner;
  private events: EventHub<TimeoutEvents> | undefined = undefined;

  constructor(options: TimeoutOptions | number) {
    const valid = validateTimeoutOptions(options);
    super(valid.clock);
    this.ms = valid.ms;
    this.mode = valid.mode;
    this.adaptive = valid.adaptive === undefined ? undefined : new AdaptiveDeadline(valid.adaptive);
    const queue = new DeadlineQueue(this.clock, valid.ms);
    this.queue = queue;
    this.graceMs = valid.graceMs;
    this.owner = {
      release: (call) => queue.remove(call),
      startGrace: (grace, delayMs) => {
        this.graces++;
        queue.push(grace, delayMs);
      },
      endGrace: (grace, queued) => {
        this.graces--;
        if (queued) queue.remove(grace);
      },
      now: () => this.clock.now(),
      timedOut: (call) => this.timedOut(call),
    };
  }

  /** Calls `listener` each time a call runs past its deadline. */
  onTimeout(listener: Listener<TimeoutEvent>): Unsubscribe {
    return (this.events ??= new EventHub<TimeoutEvents>()).on('timeout', listener);
  }

  /** Calls currently waiting for their deadline. */
  get pendingCalls(): number {
    return this.queue.size - this.graces;
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    const aborted = callerAbort(ctx);
    if (aborted !== undefined) return Promise.reject(aborted);
    const adaptive = this.adaptive;
    const started = this.clock.now();
    const ms = adaptive === undefined ? this.ms : adaptive.nextMs();
    const call =
      this.mode === 'cooperative'
        ? new CooperativeCall<T>(this.owner, ctx, started + ms, ms, this.graceMs ?? ms)
        : new AggressiveCall<T>(this.owner, ctx, started + ms, ms);
    // An adaptive deadline learns from each success that met its deadline.
    const onValue =
      adaptive === undefined
        ? (value: T) => call.fulfilled(value)
        : (value: T) => {
            if (call.pending) adaptive.record(this.clock.now() - started);
            call.fulfilled(value);
          };
    return new Promise<T>((resolve, reject) => {
      call.start(resolve, reject);
      this.queue.push(call, ms);
      invoke(fn, call).then(onValue, (error: unknown) => call.rejected(error));
    });
  }

  private timedOut(call: TimedCall): unknown {
    const error = new TimeoutError(call.ms);
    if (this.events?.has('timeout') === true) {
      this.events.emit('timeout', {
        ms: call.ms,
        mode: this.mode,
        attempt: call.attempt,
        operation: call.operation,
      });
    }
    return error;
  }
}

/**
 * A timeout policy: `timeout(5_000)` or `timeout({ ms: 5_000, mode: 'aggressive' })`.
 * Cooperative (the default) aborts `ctx.signal` at the deadline and waits for the function
 * to settle (within `graceMs`, by default the call's own `ms`, after which the caller gets its
 * TimeoutError all the same); aggressive rejects at once, leaving the function to notice its
 * aborted signal.
 */
export function timeout(options: TimeoutOptions | number): TimeoutPolicy {
  return new TimeoutPolicy(options);
}
