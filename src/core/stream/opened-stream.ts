import { abortReason, neverAbortedSignal } from '../abort.js';
import { SETTLES_LATER, type LateOutcome, type SettlesLater } from '../late-outcome.js';
import { closeQuietly, forget } from './close.js';

type OutcomeListener = (outcome: LateOutcome) => void;

/**
 * An attempt that delivered its first chunk: what the policies see as the call's answer.
 * Its outcome is only known when the consumer's iteration ends, so it settles later (a
 * breaker waits for it). Until the consumer adopts it, the attempt's own signal still
 * closes it: a hedge's loser, an answer an aggressive timeout gave up on.
 */
export class OpenedStream<T> implements SettlesLater {
  private listeners: OutcomeListener[] | undefined = undefined;
  private settled = false;
  private watched: AbortSignal | undefined = undefined;

  constructor(
    readonly iterator: AsyncIterator<T>,
    readonly first: IteratorResult<T>,
    /** Aborts the attempt: the signal the source was opened with. */
    readonly controller: AbortController,
    signal: AbortSignal,
    readonly openedAt: number,
    private readonly now: () => number,
  ) {
    if (signal !== neverAbortedSignal) {
      this.watched = signal;
      signal.addEventListener('abort', this, { once: true });
    }
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
    const reason = abortReason(this.watched ?? neverAbortedSignal);
    this.watched = undefined;
    forget(this.close(reason));
    this.settle(true, reason);
  }

  /** Aborts the attempt and closes its source. */
  close(reason: unknown): Promise<void> {
    this.unwatch();
    this.controller.abort(reason);
    return closeQuietly(this.iterator);
  }

  /** Tells every listener, once, how the stream ended. */
  settle(failed: boolean, error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    const listeners = this.listeners;
    if (listeners === undefined) return;
    this.listeners = undefined;
    const outcome: LateOutcome = { failed, error, answeredAt: this.openedAt, endedAt: this.now() };
    for (const listener of listeners) {
      try {
        listener(outcome);
      } catch {
        // A listener never breaks the stream.
      }
    }
  }

  private unwatch(): void {
    this.watched?.removeEventListener('abort', this);
    this.watched = undefined;
  }
}
