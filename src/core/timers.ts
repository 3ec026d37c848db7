type TimerHandle = ReturnType<typeof setTimeout>;

/** Lets a background timer not keep the process alive, where the platform supports it. */
export function unrefTimer(handle: TimerHandle): TimerHandle {
  const maybeNode = handle as { unref?: () => void };
  if (typeof maybeNode.unref === 'function') maybeNode.unref();
  return handle;
}
