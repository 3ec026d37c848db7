import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Resilience } from '../../core/orchestrator/resilience.js';
import { httpHandler } from '../../http/handler.js';

/** The demo's dashboard server: where it listens, the admin token for its buttons, and how to stop it. */
export interface DemoDashboard {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/**
 * Serves breakwater/http (dashboard, health, admin, and the Prometheus metrics at `/metrics`)
 * for the demo on 127.0.0.1 and an ephemeral port.
 */
export async function serveDashboard(resilience: Resilience): Promise<DemoDashboard> {
  // A fresh token per run: the buttons work for whoever ran the demo, and only for them.
  const token = randomBytes(18).toString('base64url');
  // prom-client is an optional peer: without it the demo serves everything but /metrics.
  const prometheus = await import('../../prometheus/index.js').catch(() => undefined);
  const metrics = prometheus?.prometheusMetrics(resilience);
  const handler = httpHandler(resilience, { token, ...(metrics === undefined ? {} : { metrics }) });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        handler.close();
        metrics?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
