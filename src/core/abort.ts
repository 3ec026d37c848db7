/**
 * A signal that never aborts: the default when a caller passes none, shared to avoid a
 * controller per call (pays for the BENCHMARKS.md rows "breaker, closed, success" and
 * "retry, success").
 */
export const neverAbortedSignal: AbortSignal = new AbortController().signal;

/** The reason a signal aborted, always an error value worth rejecting with. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Waits `ms` milliseconds unless `signal` aborts first, in which case it rejects at once
 * with the signal's reason and leaves no timer or listener behind.
 */
export function sleep(ms: number, signal: AbortSignal = neverAbortedSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  if (signal === neverAbortedSignal) {
    // Nothing to listen to: a listener per sleeping call on this shared signal would pile up
    // (and set off Node's leak warning past ten).
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => setTimeout(resolve, ms));
  }
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
