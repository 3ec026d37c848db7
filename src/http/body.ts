import type { IncomingMessage } from 'node:http';

/** Why a body could not be read: too large (413) or not JSON (400). */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/**
 * Reads a request's JSON body of at most `limit` bytes; an empty body is `undefined`. A body
 * that a framework already parsed (Express's `express.json()`, Fastify) is taken as it is.
 * Past the limit, reading stops at once (the rest is never buffered) and the promise
 * rejects with a 413 `BodyError`.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const parsed = (req as { body?: unknown }).body;
  if (parsed !== undefined && !req.readable) return Promise.resolve(parsed);
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new BodyError(400, 'the body is not JSON'));
      }
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new BodyError(400, `the body could not be read: ${error.message}`));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(limit: number): BodyError {
  return new BodyError(413, `the body is larger than ${limit} bytes`);
}
