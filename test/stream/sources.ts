import type { Context } from '../../src/core/index.js';

/** What a fake source saw: how it ended, and the signal it was given. */
export interface SourceLog {
  opened: number;
  closed: number;
  signals: AbortSignal[];
}

export const newLog = (): SourceLog => ({ opened: 0, closed: 0, signals: [] });

export interface FakeStream {
  /** Chunks yielded before the source ends (or misbehaves). */
  readonly chunks: number;
  /** Milliseconds before each chunk (fake timers move them). */
  readonly gapMs?: number;
  /** Milliseconds before the first chunk, when it differs from gapMs. */
  readonly firstMs?: number;
  /** After the chunks: end, throw, or hang until aborted. */
  readonly then?: 'end' | 'throw' | 'hang';
  /** The last chunk is `'done'` (what isComplete looks for) when true. */
  readonly marksEnd?: boolean;
}

const wait = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** An async generator that behaves as told and records its life in `log`, honouring ctx.signal. */
export function fakeStream(spec: FakeStream, log: SourceLog) {
  return async function* (ctx: Context): AsyncGenerator<string> {
    log.opened++;
    log.signals.push(ctx.signal);
    try {
      for (let i = 0; i < spec.chunks; i++) {
        const ms = i === 0 ? (spec.firstMs ?? spec.gapMs ?? 0) : (spec.gapMs ?? 0);
        if (ms > 0) await wait(ms, ctx.signal);
        yield spec.marksEnd === true && i === spec.chunks - 1 ? 'done' : `c${i + 1}`;
      }
      if (spec.then === 'throw') throw new Error('source broke');
      if (spec.then === 'hang') await wait(2 ** 30, ctx.signal);
    } finally {
      log.closed++;
    }
  };
}

/** Reads a stream to its end, returning its chunks, or the chunks and the error it threw. */
export async function drain<T>(
  iterable: AsyncIterable<T>,
): Promise<{ chunks: T[]; error?: unknown }> {
  const chunks: T[] = [];
  try {
    for await (const chunk of iterable) chunks.push(chunk);
    return { chunks };
  } catch (error) {
    return { chunks, error };
  }
}

/** The iterator a `for await` would use. */
export const iterate = <T>(iterable: AsyncIterable<T>): AsyncIterator<T> =>
  iterable[Symbol.asyncIterator]();
