import type { FallbackEvent } from '../outcome-events.js';
import { callerAbort } from '../call-context.js';
import type { Clock } from '../clock.js';
import { errorPredicate, type ErrorFilter } from '../error-filter.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import { checkClock, checkInteger, fail, failRange, checkOptions } from '../option-checks.js';
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

/** One alternative of a chain; `run` gets the call's context and the error that led to it. */
export interface ChainEntry<R> {
  readonly name: string;
  readonly run: (ctx: Context, error: unknown) => R | PromiseLike<R>;
  /** Lower numbers are tried first; equal priorities keep their order. */
  readonly priority: number;
}

export interface FallbackChainOptions {
  /** Tries per call across the whole chain, the primary included (an integer ≥ 1); default: all. */
  readonly maxAttempts?: number;
  /** Which errors move the call on to the next entry; others are re-thrown at once. Default: all. */
  readonly on?: ErrorFilter;
  readonly clock?: Clock;
}

export interface FallbackChainEvents {
  /** A try failed; `source` is `'primary'` or the entry's name, `attempt` counts tries from 1. */
  attemptFailed: { readonly source: string; readonly error: unknown; readonly attempt: number };
  /** An alternative answered after the errors before it. */
  fallback: FallbackEvent;
}

/** A chain of fallbacks: the protected function first, then each alternative by priority. */
export interface FallbackChain<R> extends TypedPolicy<R> {
  /** The alternatives in the order they are tried. */
  readonly entries: readonly ChainEntry<R>[];
  readonly maxAttempts: number;
  onAttemptFailed(listener: Listener<FallbackChainEvents['attemptFailed']>): Unsubscribe;
  onFallback(listener: Listener<FallbackChainEvents['fallback']>): Unsubscribe;
}

function checkEntries<R>(entries: readonly ChainEntry<R>[]): readonly ChainEntry<R>[] {
  if (!(entries instanceof Array) || entries.length === 0) {
    fail('fallbackChain', 'entries', 'a non-empty array of { name, run, priority }', entries);
  }
  const names = new Set<string>();
  entries.forEach((entry, index) => {
    const at = `entries[${index}]`;
    if (typeof entry.name !== 'string' || entry.name === '' || entry.name === 'primary') {
      fail('fallbackChain', `${at}.name`, 'a non-empty string other than "primary"', entry.name);
    }
    if (names.has(entry.name)) fail('fallbackChain', `${at}.name`, 'unique', entry.name);
    names.add(entry.name);
    if (typeof entry.run !== 'function')
      fail('fallbackChain', `${at}.run`, 'a function', entry.run);
    if (typeof entry.priority !== 'number' || !Number.isFinite(entry.priority)) {
      failRange('fallbackChain', `${at}.priority`, 'a finite number', entry.priority);
    }
  });
  // Array.prototype.sort is stable, so equal priorities keep the order they were given in.
  return [...entries].sort((a, b) => a.priority - b.priority);
}

class FallbackChainPolicy<R> extends BasePolicy {
  readonly entries: readonly ChainEntry<R>[];
  readonly maxAttempts: number;
  private readonly accepts: ((error: unknown) => boolean) | undefined;
  private events: EventHub<FallbackChainEvents> | undefined;

  constructor(entries: readonly ChainEntry<R>[], options: FallbackChainOptions) {
    super(checkClock('fallbackChain', checkOptions('fallbackChain', options).clock));
    this.entries = checkEntries(entries);
    this.maxAttempts = checkInteger(
      'fallbackChain',
      'maxAttempts',
      options.maxAttempts ?? this.entries.length + 1,
      1,
    );
    this.accepts = errorPredicate('fallbackChain', 'on', options.on);
  }

  onAttemptFailed(listener: Listener<FallbackChainEvents['attemptFailed']>): Unsubscribe {
    return this.hub().on('attemptFailed', listener);
  }

  onFallback(listener: Listener<FallbackChainEvents['fallback']>): Unsubscribe {
    return this.hub().on('fallback', listener);
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    // Alternatives answer R, which `FallbackChain<R>`'s signature makes the caller's type.
    return invoke(fn, ctx).then(undefined, (error: unknown) => this.alternatives(error, ctx) as T);
  }

  private hub(): EventHub<FallbackChainEvents> {
    return (this.events ??= new EventHub());
  }

  private async alternatives(primaryError: unknown, ctx: ExecutionContext): Promise<R> {
    const errors: unknown[] = [primaryError];
    const tried = ['primary'];
    this.events?.emit('attemptFailed', { source: 'primary', error: primaryError, attempt: 1 });
    for (const entry of this.entries) {
      const last = errors[errors.length - 1];
      const aborted = callerAbort(ctx);
      if (aborted !== undefined) throw aborted;
      if (this.accepts !== undefined && !this.accepts(last)) throw last;
      if (errors.length >= this.maxAttempts) break;
      tried.push(entry.name);
      // An entry may report the age of its answer (a stale cache does); no other age survives.
      const provenance = ctx.provenance;
      if (provenance !== undefined) delete provenance.ageMs;
      try {
        // Under executeStream, the entry's stream is opened to its first chunk here: an
        // alternative that fails before it moves the call on down the chain (SPEC §9).
        const value = await ownAnswer(ctx, (own) => entry.run(own, last));
        markFallback(ctx, entry.name, provenance?.ageMs);
        this.events?.emit('fallback', {
          source: entry.name,
          error: last,
          errors,
          ageMs: provenance?.ageMs,
        });
        return value;
      } catch (error) {
        errors.push(error);
        this.events?.emit('attemptFailed', { source: entry.name, error, attempt: errors.length });
      }
    }
    throw new AggregateError(
      errors,
      `fallbackChain: every try failed (${tried.join(', ')})` +
        (tried.length < this.entries.length + 1 ? `; maxAttempts ${this.maxAttempts} reached` : ''),
    );
  }
}

/**
 * A fallback chain (primary model → alternative model → cached answer → friendly message):
 * `execute(fn)` runs `fn`, then each entry by ascending priority until one answers; the
 * answer's provenance `source` names who answered. When every try fails it rejects with an
 * `AggregateError` of all of them. `maxAttempts` caps the tries of one call.
 */
export function fallbackChain<R>(
  entries: readonly ChainEntry<R>[],
  options: FallbackChainOptions = {},
): FallbackChain<R> {
  return new FallbackChainPolicy(entries, options);
}
