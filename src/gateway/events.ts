/** What the gateway reports of each upstream try and each request (for logs and metrics). */
export interface UpstreamResultEvent {
  readonly route: string;
  readonly upstream: string;
  /** The upstream's HTTP status, or `timeout` / `error` when it gave none. */
  readonly status: string;
  readonly durationMs: number;
}

export interface RequestEvent {
  readonly route: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The upstream that answered; undefined when the gateway answered itself. */
  readonly upstream: string | undefined;
  readonly attempts: number;
  readonly fallback: string | undefined;
  readonly durationMs: number;
  /**
   * The time the gateway added to the client's wait for its first byte: the request's
   * time to first byte less the time spent in upstream tries and in waits between them.
   */
  readonly addedMs: number;
}

export interface MalformedEventEvent {
  readonly route: string;
  readonly upstream: string;
}

/** A retry on the same target that the route's retry budget refused (the next target was tried). */
export interface RetryDeniedEvent {
  readonly route: string;
  readonly upstream: string;
}

export interface GatewayEvents {
  upstreamResult: UpstreamResultEvent;
  retryDenied: RetryDeniedEvent;
  request: RequestEvent;
  malformedEvent: MalformedEventEvent;
}
