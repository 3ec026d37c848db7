import { abortReason } from '../abort.js';
import { withoutStack } from '../errors/base.js';
import { TimeoutError } from '../errors/classes.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import { BasePolicy, RUN, invoke, type ExecutionContext, type Operation } from '../policy.js';
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
export class TimeoutPolicy extends BasePolicy implements TimedCallOwner {
  readonly ms: number;
  readonly mode: TimeoutMode;
  private readonly queue: DeadlineQueue;
  private events: EventHub<TimeoutEvents> | undefined = undefined;

  constructor(options: TimeoutOptions | number) {
    const valid = validateTimeoutOptions(options);
    super(valid.clock);
    this.ms = valid.ms;
    this.mode = valid.mode;
    this.queue = new DeadlineQueue(this.clock, valid.ms);
  }

  /** Calls `listener` each time a call runs past its deadline. */
  onTimeout(listener: Listener<TimeoutEvent>): Unsubscribe {
    return (this.events ??= new EventHub<TimeoutEvents>()).on('timeout', listener);
  }

  /** Calls currently waiting for their deadline. */
  get pendingCalls(): number {
    return this.queue.size;
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    const outer = ctx.signal;
    if (outer.aborted) return Promise.reject(abortReason(outer));
    const deadline = this.clock.now() + this.ms;
    if (this.mode === 'cooperative') {
      const call = new CooperativeCall(this, outer, ctx, deadline);
      this.queue.push(call, this.ms);
      return invoke(fn, call).then(
        (value) => call.fulfilled(value),
        (error: unknown) => call.rejected(error),
      );
    }
    const call = new AggressiveCall<T>(this, outer, ctx, deadline);
    return new Promise<T>((resolve, reject) => {
      call.start(resolve, reject);
      this.queue.push(call, this.ms);
      invoke(fn, call).then(
        (value) => call.fulfilled(value),
        (error: unknown) => call.rejected(error),
      );
    });
  }

  /** @internal */
  release(call: TimedCall): void {
    this.queue.remove(call);
  }

  /** @internal */
  timedOut(call: TimedCall): unknown {
    const error = withoutStack(() => new TimeoutError(this.ms));
    if (this.events?.has('timeout') === true) {
      this.events.emit('timeout', {
        ms: this.ms,
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
 * to settle; aggressive rejects at once, leaving the function to notice its aborted signal.
 */
export function timeout(options: TimeoutOptions | number): TimeoutPolicy {
  return new TimeoutPolicy(options);
}
