const ignore = (): void => undefined;

/**
 * Closes a source iterator (its `finally` blocks run, an SDK stream aborts its request) and
 * never throws: the source is being abandoned, and its complaints about that are no news.
 */
export function closeQuietly(iterator: AsyncIterator<unknown>): Promise<void> {
  try {
    const closing = iterator.return?.();
    return closing === undefined
      ? Promise.resolve()
      : Promise.resolve(closing).then(ignore, ignore);
  } catch {
    return Promise.resolve();
  }
}

/** Lets a promise we no longer wait for fail without an unhandled rejection. */
export function forget(promise: PromiseLike<unknown>): void {
  Promise.resolve(promise).then(ignore, ignore);
}
