import { UpstreamTimeoutError } from '../upstream/errors.js';

/**
 * One attempt's deadline, re-armed as it progresses (the response, then the first chunk,
 * then each gap between chunks), never past the request's `deadlineAt` (the route's
 * `totalMs`): a limit that would reach beyond it is armed as phase `total`, which no later
 * arming extends. When it fires it aborts the attempt with the phase it was in.
 */
export class TryTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armedFor: { ms: number; phase: UpstreamTimeoutError['phase'] } | undefined;
  private firedAt: UpstreamTimeoutError['phase'] | undefined;

  constructor(
    private readonly controller: { abort(reason: unknown): void },
    private readonly deadlineAt: number = Number.POSITIVE_INFINITY,
  ) {}

  arm(limitMs: number, limitPhase: UpstreamTimeoutError['phase']): void {
    let ms = limitMs;
    let phase = limitPhase;
    const left = this.deadlineAt - Date.now();
    if (left <= ms) {
      if (this.armedFor?.phase === 'total' && this.timer !== undefined) return;
      ms = Math.max(1, left);
      phase = 'total';
    }
    // Re-arming the same limit (each gap of a stream) restarts the timer without a new one.
    if (this.timer !== undefined && this.armedFor?.ms === ms && this.armedFor.phase === phase) {
      this.timer.refresh();
      return;
    }
    this.clear();
    this.armedFor = { ms, phase };
    this.timer = setTimeout(() => {
      this.firedAt = phase;
      this.controller.abort(new UpstreamTimeoutError(ms, phase));
    }, ms);
  }

  /** The phase the timer fired in; undefined while it has not. */
  get fired(): UpstreamTimeoutError['phase'] | undefined {
    return this.firedAt;
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
