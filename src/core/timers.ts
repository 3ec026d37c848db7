type TimerHandle = ReturnType<typeof setTimeout>;

/** Lets a background timer not keep the process alive, where the platform supports it. */
export function unrefTimer(handle: TimerHandle): TimerHandle {
  const maybeNode = handle as { unref?: () => void };
  if (typeof maybeNode.unref === 'function') maybeNode.unref();
  return handle;
}

/**
 * Lets a timer hold the process alive (`hold`) or not, where the platform supports it; a
 * no-op for `undefined`. Returns the handle.
 */
export function holdProcess<H extends TimerHandle | undefined>(handle: H, hold: boolean): H {
  const maybeNode = handle as { ref?: () => void; unref?: () => void } | undefined;
  if (hold) maybeNode?.ref?.();
  else maybeNode?.unref?.();
  return handle;
}
