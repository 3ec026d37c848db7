import type { ServerResponse } from 'node:http';

/**
 * The client's side of one response. Nothing is sent until `commit`: a stream's headers
 * wait for its first chunk of content, so a failure before it can still fail over.
 */
export class ResponseSink {
  private sent = false;

  /**
   * @param stallMs how long a client may read nothing while its buffer is full before it is
   *   dropped: a client that never reads must not hold an upstream stream open for ever, and
   *   its stall is its own (the upstream's idle limit is paused meanwhile).
   */
  constructor(
    private readonly res: ServerResponse,
    private readonly stallMs: number,
  ) {}

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

  /**
   * Writes; while the client's buffer is full the returned promise waits for it to drain (so a
   * slow client holds no memory), otherwise nothing is returned and nothing waits. A client
   * that drains nothing within `stallMs` is disconnected, which ends the request as a client's
   * disconnect (never counted against the upstream).
   */
  write(data: string | Uint8Array): Promise<void> | undefined {
    if (data.length === 0 || this.res.destroyed) return undefined;
    if (this.res.write(data)) return undefined;
    return new Promise<void>((resolve) => {
      const stalled = setTimeout(() => this.res.destroy(), this.stallMs);
      const done = (): void => {
        clearTimeout(stalled);
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** A whole response at once; `headers` is a record made for it (its length is set on it). */
  send(status: number, headers: Record<string, string | string[]>, body: Buffer): void {
    this.sent = true;
    headers['content-length'] = String(body.length);
    this.res.writeHead(status, headers);
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
