import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Resilience } from '../../core/orchestrator/resilience.js';
import { prometheusMetrics } from '../../prometheus/index.js';

/** The demo's Prometheus endpoint: `GET /metrics` on 127.0.0.1 (ephemeral port) while the demo runs. */
export async function serveDemoMetrics(
  resilience: Resilience,
): Promise<{ url: string; close(): Promise<void> }> {
  const metrics = prometheusMetrics(resilience);
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: unknown) =>
        response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        metrics.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
