import { abortReason, neverAbortedSignal } from '../abort.js';
import { LazyContext, NextAttemptContext, type AbortFollower } from '../call-context.js';
import type { Context, StreamOpener } from '../policy.js';

/** Where a follower hears of an abort: the stream's call itself (no signal made), or a signal. */
export type AbortWatch = StreamCallContext | AbortSignal | undefined;

/**
 * The context a streaming call runs through the policies with. Its signal is made only when
 * a layer reads it (a timeout, a hedge, a retry after a failure): an `AbortSignal` costs
 * several microseconds on Node 20, a stream's whole setup budget ("Streams" in
 * BENCHMARKS.md). The consumer's `return()` and the caller's abort stop it with `stop()`;
 * the attempts opening under it follow it directly (`watch`), without that signal.
 */
export class StreamCallContext extends LazyContext {
  readonly attempt = 1;
  readonly provenance = undefined;
  private controller: AbortController | undefined = undefined;
  private stoppedWith: { reason: unknown } | undefined = undefined;
  private followers: AbortFollower[] | undefined = undefined;

  constructor(
    private readonly caller: AbortSignal | undefined,
    readonly operation: string | undefined,
    readonly streamOpener: StreamOpener,
  ) {
    super();
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      const reason = this.abortedWith();
      if (reason !== undefined) this.controller.abort(reason);
    }
    return this.controller.signal;
  }

  abortedWith(): unknown {
    if (this.stoppedWith !== undefined) return this.stoppedWith.reason;
    const caller = this.caller;
    return caller?.aborted === true ? abortReason(caller) : undefined;
  }

  /** A layer that waits (a retry's backoff, a timeout) listens to the signal, made here. */
  abortSource(): AbortSignal {
    return this.signal;
  }

  /** The consumer can always stop the call. */
  canAbort(): boolean {
    return true;
  }

  /** The consumer stopped, or the caller aborted: the signal aborts, the openings fail. */
  stop(reason: unknown): void {
    if (this.stoppedWith !== undefined) return;
    this.stoppedWith = { reason };
    this.controller?.abort(reason);
    const followers = this.followers;
    this.followers = undefined;
    if (followers !== undefined) for (const follower of followers) follower.handleEvent();
  }

  /**
   * Tells `follower` when `ctx` aborts: through this call itself when `ctx` is it or a
   * retry's attempt of it (no signal made), else through `ctx`'s signal. Answers what to
   * give `unwatch` and `watchedReason`.
   */
  watch(ctx: Context, follower: AbortFollower): AbortWatch {
    let root: Context = ctx;
    while (root instanceof NextAttemptContext) root = root.parent;
    if (root === this) {
      (this.followers ??= []).push(follower);
      return this;
    }
    const signal = ctx.signal;
    if (signal === neverAbortedSignal) return undefined;
    signal.addEventListener('abort', follower, { once: true });
    return signal;
  }

  /** Why `ctx` was aborted already, or undefined (as `watch` would hear it, without making a signal). */
  abortedIn(ctx: Context): unknown {
    let root: Context = ctx;
    while (root instanceof NextAttemptContext) root = root.parent;
    if (root === this) return this.abortedWith();
    const signal = ctx.signal;
    return signal.aborted ? abortReason(signal) : undefined;
  }

  private unfollow(follower: AbortFollower): void {
    const followers = this.followers;
    if (followers === undefined) return;
    const at = followers.indexOf(follower);
    if (at !== -1) followers.splice(at, 1);
  }

  /** Stops telling `follower` about `watch`. */
  static unwatch(watch: AbortWatch, follower: AbortFollower): void {
    if (watch instanceof StreamCallContext) watch.unfollow(follower);
    else watch?.removeEventListener('abort', follower);
  }

  /** Why `watch` aborted, once it told its follower. */
  static watchedReason(watch: AbortWatch): unknown {
    if (watch instanceof StreamCallContext) return watch.abortedWith();
    return abortReason(watch ?? neverAbortedSignal);
  }
}
