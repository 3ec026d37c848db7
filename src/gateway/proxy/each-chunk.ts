import type { Readable } from 'node:stream';

/** What a chunk's handler says: go on, stop reading, or wait for a promise (a slow client) first. */
export type ChunkStep = undefined | 'stop' | Promise<undefined | 'stop'>;

const ignore = (): void => undefined;

/**
 * Feeds `body`'s chunks to `handle` through plain listeners (an async iterator costs a few
 * promises per chunk on the hot path), pausing while a returned promise is pending. Resolves
 * at the end or on `'stop'` (the body is then destroyed); rejects with the body's error or the
 * handler's.
 */
export function eachChunk(body: Readable, handle: (chunk: Buffer) => ChunkStep): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      // Destroying an undici body emits an abort error of its own: nobody needs it any more.
      body.on('error', ignore);
      if (error === undefined) resolve();
      else reject(error);
    };
    const stop = (error?: unknown): void => {
      finish(error);
      if (error !== undefined) body.destroy();
      // Told to stop at the stream's end marker, the body has usually all arrived: left to end
      // on its own, its connection goes back to the pool without the abort error (and its stack
      // trace) that destroying it makes (the SSE rows of BENCHMARKS.md "The gateway"). One
      // that goes on after the marker is cut at the next turn of the loop.
      else
        setImmediate(() => {
          if (!body.readableEnded) body.destroy();
        });
    };
    const onData = (chunk: Buffer): void => {
      let step: ChunkStep;
      try {
        step = handle(chunk);
      } catch (error) {
        stop(error);
        return;
      }
      if (step === 'stop') stop();
      else if (step !== undefined) {
        body.pause();
        step.then(
          (next) => (next === 'stop' ? stop() : body.resume()),
          (error: unknown) => stop(error),
        );
      }
    };
    const onEnd = (): void => finish();
    const onError = (error: Error): void => finish(error);
    const onClose = (): void => finish(new Error('the upstream body closed before its end'));
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}
