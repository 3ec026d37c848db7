import type { ServerResponse } from 'node:http';

/**
 * The client's side of one response. Nothing is sent until `commit`: a stream's headers
 * wait for its first chunk of content, so a failure before it can still fail over.
 */
export class ResponseSink {
  private sent = false;

  constructor(private readonly res: ServerResponse) {}

  get committed(): boolean {
    return this.sent;
  }

  /** Whether the client is gone (closed its connection or it was destroyed). */
  get gone(): boolean {
    return this.res.destroyed;
  }

  commit(status: number, headers: Readonly<Record<string, string | string[]>>): void {
    this.sent = true;
    this.res.writeHead(status, headers);
    // Event streams are written event by event: no Nagle delay between them.
    this.res.socket?.setNoDelay(true);
  }

  /** Writes, waiting while the client's buffer is full (so a slow client holds no memory). */
  async write(data: string | Uint8Array): Promise<void> {
    if (data.length === 0 || this.res.destroyed) return;
    if (this.res.write(data)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** A whole response at once. */
  send(status: number, headers: Readonly<Record<string, string | string[]>>, body: Buffer): void {
    this.sent = true;
    this.res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    this.res.end(body);
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }

  /** Ends the response without a clean end, so the client cannot take it for a complete one. */
  abort(): void {
    this.sent = true;
    this.res.destroy();
  }
}
