import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Unsubscribe } from '../core/events.js';
import type { Resilience } from '../core/orchestrator/resilience.js';
import { sendError } from './respond.js';
import { Summarizer } from './summary.js';

export interface EventStreamLimits {
  /** Clients connected at once; more are refused with 503. */
  readonly maxClients: number;
  /** Bytes a client may leave unread before it is dropped. */
  readonly maxBufferedBytes: number;
}

/** A transition as the stream (and the dashboard's timeline) shows it. */
export interface TransitionEvent {
  readonly operation: string;
  readonly from: string;
  readonly to: string;
  readonly at: string;
}

const TICK_MS = 1_000;
/** A comment line every this many ticks keeps proxies from closing an idle stream. */
const HEARTBEAT_TICKS = 15;
/** Transitions kept for a client that connects later (the dashboard's timeline). */
const RECENT_TRANSITIONS = 50;
/** Events waiting for the next flush; beyond this the oldest go (a burst of flapping). */
const MAX_PENDING = 1_000;

/**
 * `GET /events`: Server-Sent Events to a bounded set of clients. Calls never wait on a
 * client: transitions and configuration changes are queued and written after the call that
 * caused them (on `setImmediate`), summaries are written by one shared one-second loop that
 * runs only while a client is connected. A client that reads too slowly is dropped as soon
 * as its unread bytes pass the bound, so it never holds memory without limit.
 */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly summarizer: Summarizer;
  private readonly recent: TransitionEvent[] = [];
  private pending: string[] = [];
  private flushScheduled: ReturnType<typeof setImmediate> | undefined;
  private loop: ReturnType<typeof setInterval> | undefined;
  private ticks = 0;
  private readonly unsubscribe: Unsubscribe;

  constructor(
    resilience: Resilience,
    private readonly limits: EventStreamLimits,
  ) {
    this.summarizer = new Summarizer(resilience);
    this.unsubscribe = resilience.observe({
      onStateChange: (event) => {
        const transition: TransitionEvent = {
          operation: event.operation,
          from: event.from,
          to: event.to,
          at: new Date(event.at).toISOString(),
        };
        this.recent.push(transition);
        if (this.recent.length > RECENT_TRANSITIONS) this.recent.shift();
        this.queue('state', transition);
      },
      onConfigChange: (entry) => this.queue('config', entry),
    });
  }

  /** How many clients are connected. */
  get size(): number {
    return this.clients.size;
  }

  connect(req: IncomingMessage, res: ServerResponse): void {
    if (this.clients.size >= this.limits.maxClients) {
      return sendError(req, res, 503, 'too many event-stream clients', { 'retry-after': '5' });
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    req.socket.setNoDelay(true);
    this.clients.add(res);
    res.on('close', () => this.leave(res));
    const hello = { operations: this.summaryNow(), transitions: this.recent };
    this.write(res, `retry: 2000\n\n${frame('hello', hello)}`);
    this.loop ??= unref(setInterval(() => this.tick(), TICK_MS));
  }

  /** Ends every stream and stops the loop; the handler's `close()`. */
  close(): void {
    this.unsubscribe();
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.stop();
  }

  private summaryNow() {
    return this.summarizer.next(Date.now());
  }

  private tick(): void {
    this.ticks++;
    let text = frame('summary', { at: new Date().toISOString(), operations: this.summaryNow() });
    if (this.ticks % HEARTBEAT_TICKS === 0) text += ': heartbeat\n\n';
    this.broadcast(text);
  }

  private queue(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    this.pending.push(frame(event, data));
    if (this.pending.length > MAX_PENDING) this.pending.shift();
    this.flushScheduled ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = undefined;
    const text = this.pending.join('');
    this.pending = [];
    if (text !== '') this.broadcast(text);
  }

  private broadcast(text: string): void {
    for (const res of this.clients) this.write(res, text);
  }

  private write(res: ServerResponse, text: string): void {
    if (res.writableLength > this.limits.maxBufferedBytes) {
      // Too far behind: let it go (it reconnects and starts fresh) rather than buffer more.
      this.leave(res);
      res.destroy();
      return;
    }
    res.write(text);
  }

  private leave(res: ServerResponse): void {
    if (!this.clients.delete(res)) return;
    if (this.clients.size === 0) this.stop();
  }

  private stop(): void {
    if (this.loop !== undefined) clearInterval(this.loop);
    if (this.flushScheduled !== undefined) clearImmediate(this.flushScheduled);
    this.loop = this.flushScheduled = undefined;
    this.pending = [];
    this.ticks = 0;
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function unref<T extends { unref(): unknown }>(timer: T): T {
  timer.unref();
  return timer;
}
