import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BreakerCommand } from '../core/orchestrator/audit.js';
import type { Resilience } from '../core/orchestrator/resilience.js';
import { AdminCommands, CommandError } from './admin.js';
import { actorOf, adminGate } from './auth.js';
import { BodyError, readJsonBody } from './body.js';
import { breakersOf, circuitView } from './circuits.js';
import { dashboardPage } from './dashboard.js';
import { EventStream } from './events.js';
import { healthOf } from './health.js';
import type { ResolvedOptions } from './options.js';
import { redact } from './redact.js';
import { send, sendError, sendJson } from './respond.js';

/** A framework's "not mine, pass it on". */
export type Next = (error?: unknown) => void;

/** The routes of SPEC §8.2 for a path already stripped of any base path. */
export interface Router {
  serve(req: IncomingMessage, res: ServerResponse, path: string, next?: Next): void;
  close(): void;
}

const READ = 'GET, HEAD';
const COMMANDS: ReadonlySet<string> = new Set<BreakerCommand>([
  'isolate',
  'reset',
  'disable',
  'enable',
]);

export function createRouter(resilience: Resilience, options: ResolvedOptions): Router {
  const gate = adminGate(options.token);
  const admin = new AdminCommands(resilience);
  const events = new EventStream(resilience, {
    maxClients: options.maxEventClients,
    maxBufferedBytes: options.maxBufferedBytes,
  });

  /** The GET routes by path. */
  const reads: Record<string, ((req: IncomingMessage, res: ServerResponse) => void) | undefined> = {
    '/livez': (req, res) => sendJson(req, res, 200, { status: 'pass' }),
    '/readyz': (req, res) => {
      const ready = isReady(options.ready);
      sendJson(req, res, ready ? 200 : 503, { status: ready ? 'pass' : 'fail' });
    },
    '/health': (req, res) => {
      const answer = healthOf(resilience, options.failOnOpen);
      const seconds = answer.retryAfterSeconds;
      sendJson(
        req,
        res,
        answer.status,
        answer.document,
        seconds === undefined ? {} : { 'retry-after': String(seconds) },
        'application/health+json; charset=utf-8',
      );
    },
    '/circuits': (req, res) =>
      sendJson(
        req,
        res,
        200,
        Array.from(breakersOf(resilience), ([name, breaker]) => circuitView(name, breaker)),
      ),
    '/config': (req, res) =>
      sendJson(req, res, 200, redact((options.config ?? (() => resilience.config()))())),
    '/metrics': (req, res) => serveMetrics(req, res, options),
    '/events': (req, res) => events.connect(req, res),
  };
  if (options.dashboard) reads['/'] = serveDashboard;

  const command = (
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    verb: BreakerCommand,
  ): void => {
    const access = gate(req);
    if (!access.ok) {
      const challenge: Record<string, string> =
        access.status === 401 ? { 'www-authenticate': 'Bearer realm="breakwater"' } : {};
      req.resume();
      return sendError(req, res, access.status, access.message, challenge);
    }
    readJsonBody(req, options.maxBodyBytes)
      .then((body) => {
        const result = admin.run(name, verb, body, actorOf(req));
        if (result === undefined) return sendError(req, res, 404, `no circuit named ${name}`);
        sendJson(req, res, 200, result);
      })
      .catch((error: unknown) => {
        if (error instanceof BodyError) {
          return sendError(req, res, error.status, error.message, { connection: 'close' });
        }
        if (error instanceof CommandError) return sendError(req, res, 400, error.message);
        sendError(req, res, 500, 'the command failed');
      });
  };

  return {
    serve(req, res, path, next) {
      const method = req.method ?? 'GET';
      const read = reads[path];
      if (read !== undefined) {
        if (method !== 'GET' && method !== 'HEAD') return notAllowed(req, res, READ);
        return read(req, res);
      }
      const match = /^\/circuits\/([^/]+)(?:\/([^/]+))?$/.exec(path);
      const name = match === null ? undefined : decode(match[1] ?? '');
      const verb = match?.[2];
      if (name === undefined || (verb !== undefined && !COMMANDS.has(verb))) {
        if (next !== undefined) return next();
        return sendError(req, res, 404, 'no such route');
      }
      if (verb === undefined) {
        if (method !== 'GET' && method !== 'HEAD') return notAllowed(req, res, READ);
        const breaker = resilience.breaker(name);
        if (breaker === undefined) return sendError(req, res, 404, `no circuit named ${name}`);
        return sendJson(req, res, 200, circuitView(name, breaker));
      }
      if (method !== 'POST') return notAllowed(req, res, 'POST');
      command(req, res, name, verb as BreakerCommand);
    },
    close() {
      admin.close();
      events.close();
    },
  };
}

function isReady(ready: (() => boolean) | undefined): boolean {
  if (ready === undefined) return true;
  try {
    return ready() === true;
  } catch {
    return false;
  }
}

function serveMetrics(req: IncomingMessage, res: ServerResponse, options: ResolvedOptions): void {
  const registry = options.metrics?.registry;
  if (registry === undefined) return sendError(req, res, 404, 'metrics are not configured');
  registry.metrics().then(
    (text) => send(req, res, 200, registry.contentType, text),
    () => sendError(req, res, 500, 'the metrics could not be collected'),
  );
}

function serveDashboard(req: IncomingMessage, res: ServerResponse): void {
  const nonce = randomBytes(16).toString('base64');
  // Only this page's own script and style run, and it may talk to nothing but this server.
  const policy = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  send(req, res, 200, 'text/html; charset=utf-8', dashboardPage(nonce), {
    'content-security-policy': policy,
    'referrer-policy': 'no-referrer',
  });
}

function notAllowed(req: IncomingMessage, res: ServerResponse, allow: string): void {
  req.resume();
  sendError(req, res, 405, `method ${req.method ?? ''} not allowed`, { allow });
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
