import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers every answer carries: nothing here is cacheable, nothing may be sniffed. */
const COMMON = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

/** Sends `body` (a string) with a status and headers; a HEAD request gets the headers alone. */
export function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    ...COMMON,
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  value: unknown,
  headers?: Readonly<Record<string, string>>,
  contentType = 'application/json; charset=utf-8',
): void {
  send(req, res, status, contentType, JSON.stringify(value), headers);
}

/** An error answer: `{ "error": message }`. */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  headers?: Readonly<Record<string, string>>,
): void {
  sendJson(req, res, status, { error: message }, headers);
}
