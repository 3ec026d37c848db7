import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Resilience } from '../../core/orchestrator/resilience.js';
import { httpHandler } from '../../http/handler.js';
import { loadPrometheus } from '../optional-prometheus.js';

/** The demo's dashboard server: where it listens, the admin token for its buttons, and how to stop it. */
export interface DemoDashboard {
  readonly url: string;
  readonly token: string;
  /** Where the Prometheus metrics are served; absent when prom-client (an optional peer) is not installed. */
  readonly metricsUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * Serves breakwater/http (dashboard, health, admin, and the Prometheus metrics at `/metrics`
 * when prom-client is installed) for the demo on 127.0.0.1 and an ephemeral port.
 */
export async function serveDashboard(resilience: Resilience): Promise<DemoDashboard> {
  // A fresh token per run: the buttons work for whoever ran the demo, and only for them.
  const token = randomBytes(18).toString('base64url');
  const metrics = (await loadPrometheus())?.prometheusMetrics(resilience);
  const handler = httpHandler(resilience, { token, ...(metrics === undefined ? {} : { metrics }) });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    token,
    metricsUrl: metrics === undefined ? undefined : `${url}metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        handler.close();
        metrics?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the demo prints about its dashboard: only an address it really serves. */
export function dashboardLines(dashboard: Omit<DemoDashboard, 'close'>): string[] {
  return [
    `dashboard: ${dashboard.url}  (admin token: ${dashboard.token})`,
    dashboard.metricsUrl === undefined
      ? 'Prometheus metrics: not served (prom-client is not installed; `npm install prom-client` serves them at /metrics)'
      : `Prometheus metrics: ${dashboard.metricsUrl}`,
  ];
}
