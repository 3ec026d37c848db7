import type { FallbackEvent } from '../outcome-events.js';
import { callerAbort } from '../call-context.js';
import type { Clock } from '../clock.js';
import { errorPredicate, type ErrorFilter } from '../error-filter.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import { checkClock, fail, checkOptions } from '../option-checks.js';
import {
  BasePolicy,
  RUN,
  invoke,
  markFallback,
  ownAnswer,
  type Context,
  type ExecutionContext,
  type Operation,
  type TypedPolicy,
} from '../policy.js';

/** The fallback's answer: a value, or a function of the error and the call's context. */
export type FallbackValue<R> = R | ((error: unknown, ctx: Context) => R | PromiseLike<R>);

export interface FallbackOptions<R> {
  /** What to answer instead of the error. To answer with a function value, return it from a function. */
  readonly to: FallbackValue<R>;
  /** Which errors the fallback answers (a predicate or error classes); default: every error. */
  readonly on?: ErrorFilter;
  /** The provenance `source` of its answers; default `'fallback'`. */
  readonly name?: string;
  readonly clock?: Clock;
}

export interface FallbackEvents {
  /** The fallback answered in place of `error`. */
  fallback: FallbackEvent;
}

/** A policy that answers with a fallback value when the call fails. */
export interface Fallback<R> extends TypedPolicy<R> {
  readonly name: string;
  onFallback(listener: Listener<FallbackEvents['fallback']>): Unsubscribe;
}

class FallbackPolicy<R> extends BasePolicy {
  readonly name: string;
  private readonly to: FallbackValue<R>;
  private readonly accepts: ((error: unknown) => boolean) | undefined;
  private events: EventHub<FallbackEvents> | undefined;

  constructor(options: FallbackOptions<R>) {
    super(checkClock('fallback', checkOptions('fallback', options).clock));
    if (!('to' in options)) fail('fallback', 'to', 'a value or a function', undefined);
    this.to = options.to;
    this.accepts = errorPredicate('fallback', 'on', options.on);
    const name = options.name ?? 'fallback';
    if (typeof name !== 'string' || name === '')
      fail('fallback', 'name', 'a non-empty string', name);
    this.name = name;
  }

  onFallback(listener: Listener<FallbackEvents['fallback']>): Unsubscribe {
    return (this.events ??= new EventHub()).on('fallback', listener);
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    // The value answered is an R, which `Fallback<R>`'s signature makes the caller's type.
    return invoke(fn, ctx).then(undefined, (error: unknown) => this.answer(error, ctx) as T);
  }

  /** Answers in place of `error`, unless the filter refuses it or the caller has gone. */
  private async answer(error: unknown, ctx: ExecutionContext): Promise<R> {
    if (callerAbort(ctx) !== undefined || (this.accepts !== undefined && !this.accepts(error)))
      throw error;
    const to = this.to;
    // Under executeStream the answer is a stream, opened here so that failing before its
    // first chunk is this layer's failure (SPEC §9); a plain call gets the value as it is.
    const value =
      typeof to === 'function'
        ? await ownAnswer(ctx, (own) =>
            (to as (error: unknown, ctx: Context) => R | PromiseLike<R>)(error, own),
          )
        : ctx.streamOpener === undefined
          ? to
          : await ownAnswer(ctx, () => to);
    markFallback(ctx, this.name);
    this.events?.emit('fallback', {
      source: this.name,
      error,
      errors: [error],
      ageMs: undefined,
    });
    return value;
  }
}

/**
 * A fallback: when the call fails with an error `on` accepts, answer `to` instead. Typed so
 * that only functions whose result fits `R` can be protected, e.g.
 * `fallback<Summary>({ to: cachedSummary }).execute(() => summarize(text))`.
 */
export function fallback<R>(options: FallbackOptions<R>): Fallback<R> {
  return new FallbackPolicy(options);
}
