/**
 * The limit of what a proxy can do: a bare undici pass-through (no routing, no policy), in
 * its own process. `node bare-proxy.ts <upstream-url>`; prints its port on stdout.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

const upstream = process.argv[2] ?? '';
const dispatcher = new Agent({ connections: 128, keepAliveTimeout: 30_000 });

const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => {
    request(`${upstream}${req.url ?? '/'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat(parts),
      dispatcher,
    }).then(
      async ({ statusCode, headers, body }) => {
        res.writeHead(statusCode, { 'content-type': String(headers['content-type']) });
        for await (const chunk of body) res.write(chunk);
        res.end();
      },
      () => {
        res.writeHead(502);
        res.end();
      },
    );
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
