import { UpstreamTimeoutError } from '../upstream/errors.js';

/**
 * One attempt's deadline, re-armed as it progresses (the response, then the first chunk,
 * then each gap between chunks). When it fires it aborts the attempt with the phase it was in.
 */
export class TryTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly controller: AbortController) {}

  arm(ms: number, phase: UpstreamTimeoutError['phase']): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.controller.abort(new UpstreamTimeoutError(ms, phase));
    }, ms);
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
