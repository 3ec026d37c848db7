import type { Clock } from '../clock.js';
import { SETTLES_LATER, type LateOutcome, type SettlesLater } from '../late-outcome.js';
import type { Context } from '../policy.js';
import type { StreamAttempt } from './attempt.js';
import { StreamCallContext, type AbortWatch } from './call-context.js';
import { closeQuietly, forget } from './close.js';

type OutcomeListener = (outcome: LateOutcome) => void;

/**
 * An attempt that delivered its first chunk: what the policies see as the call's answer.
 * Its outcome is only known when the consumer's iteration ends, so it settles later (a
 * breaker waits for it). Until the consumer adopts it, the abort of the context it was
 * opened in still closes it: a hedge's loser, an answer an aggressive timeout gave up on.
 */
export class OpenedStream<T> implements SettlesLater {
  private listeners: OutcomeListener[] | undefined = undefined;
  private settled = false;
  private watched: AbortWatch;
  readonly openedAt: number;

  constructor(
    readonly iterator: AsyncIterator<T>,
    readonly first: IteratorResult<T>,
    /** The attempt the source was opened as: aborting it aborts the source's signal. */
    private readonly attempt: StreamAttempt,
    ctx: Context,
    call: StreamCallContext,
    private readonly clock: Clock,
  ) {
    this.openedAt = clock.now();
    this.watched = call.watch(ctx, this);
  }

  [SETTLES_LATER](listener: OutcomeListener): void {
    (this.listeners ??= []).push(listener);
  }

  /** The consumer takes over: from now on only it closes the stream. */
  adopt(): void {
    this.unwatch();
  }

  /** The attempt was called off before the consumer took it. */
  handleEvent(): void {
    const reason = StreamCallContext.watchedReason(this.watched);
    this.watched = undefined;
    forget(this.close(reason));
    this.settle(true, reason);
  }

  /** Aborts the attempt and closes its source. */
  close(reason: unknown): Promise<void> {
    this.unwatch();
    this.attempt.abort(reason);
    return closeQuietly(this.iterator);
  }

  /** Tells every listener, once, how the stream ended. */
  settle(failed: boolean, error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    const listeners = this.listeners;
    if (listeners === undefined) return;
    this.listeners = undefined;
    const outcome: LateOutcome = {
      failed,
      error,
      answeredAt: this.openedAt,
      endedAt: this.clock.now(),
    };
    for (const listener of listeners) {
      try {
        listener(outcome);
      } catch {
        // A listener never breaks the stream.
      }
    }
  }

  private unwatch(): void {
    StreamCallContext.unwatch(this.watched, this);
    this.watched = undefined;
  }
}
