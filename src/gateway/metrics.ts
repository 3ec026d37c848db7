import type { EventHub, Unsubscribe } from '../core/events.js';
import type { GatewayEvents } from './events.js';

/** Buckets of the added-latency histogram, in seconds: a gateway should add well under 10 ms. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

const escape = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

const labels = (pairs: Readonly<Record<string, string>>): string =>
  Object.entries(pairs)
    .map(([name, value]) => `${name}="${escape(value)}"`)
    .join(',');

interface Histogram {
  readonly counts: number[];
  sum: number;
  count: number;
}

/**
 * The gateway's own series in the Prometheus text format (no prom-client needed):
 * `breakwater_upstream_requests_total{route,upstream,status}` and
 * `breakwater_gateway_added_latency_seconds{route}` and
 * `breakwater_gateway_retries_denied_total{route,upstream}`. Their label values come from the
 * configuration (routes, upstreams) and from HTTP statuses, so their number is bounded.
 */
export class GatewayMetrics {
  private readonly requests = new Map<string, { labels: string; value: number }>();
  private readonly added = new Map<string, Histogram>();
  private readonly denied = new Map<string, { labels: string; value: number }>();
  private readonly unsubscribe: Unsubscribe[];
  private readonly extra: { registry: { metrics(): Promise<string> }; close?(): void }[] = [];
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';

  constructor(hub: EventHub<GatewayEvents>) {
    this.unsubscribe = [
      hub.on('upstreamResult', ({ route, upstream, status }) => {
        // Keyed by the raw values: the escaped label text is built once per series, not per
        // request (the gateway rows of BENCHMARKS.md).
        const key = `${route}\u0000${upstream}\u0000${status}`;
        const entry = this.requests.get(key);
        if (entry === undefined) {
          this.requests.set(key, { labels: labels({ route, upstream, status }), value: 1 });
        } else entry.value++;
      }),
      hub.on('retryDenied', ({ route, upstream }) => {
        const key = labels({ route, upstream });
        const entry = this.denied.get(key);
        if (entry === undefined) this.denied.set(key, { labels: key, value: 1 });
        else entry.value++;
      }),
      hub.on('request', ({ route, addedMs, upstream }) => {
        if (route === undefined || upstream === undefined) return;
        let histogram = this.added.get(route);
        if (histogram === undefined) {
          histogram = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
          this.added.set(route, histogram);
        }
        const seconds = addedMs / 1000;
        for (let index = 0; index < BUCKETS.length; index++) {
          if (seconds <= (BUCKETS[index] ?? 0)) {
            histogram.counts[index] = (histogram.counts[index] ?? 0) + 1;
          }
        }
        histogram.sum += seconds;
        histogram.count++;
      }),
    ];
  }

  /** Serves another source's series after the gateway's own (closed with it). */
  append(source: { registry: { metrics(): Promise<string> }; close?(): void }): void {
    this.extra.push(source);
  }

  /** The text exposition, as `MetricsSource.registry.metrics()` gives it. */
  async metrics(): Promise<string> {
    const lines = [
      '# HELP breakwater_upstream_requests_total Upstream tries by route, upstream and status.',
      '# TYPE breakwater_upstream_requests_total counter',
      ...[...this.requests.values()].map(
        (entry) => `breakwater_upstream_requests_total{${entry.labels}} ${entry.value}`,
      ),
      '# HELP breakwater_gateway_retries_denied_total Retries on the same target refused by the route retry budget.',
      '# TYPE breakwater_gateway_retries_denied_total counter',
      ...[...this.denied.values()].map(
        (entry) => `breakwater_gateway_retries_denied_total{${entry.labels}} ${entry.value}`,
      ),
      '# HELP breakwater_gateway_added_latency_seconds Time the gateway added before the first byte.',
      '# TYPE breakwater_gateway_added_latency_seconds histogram',
    ];
    for (const [route, histogram] of this.added) {
      const name = 'breakwater_gateway_added_latency_seconds';
      BUCKETS.forEach((bound, index) => {
        lines.push(
          `${name}_bucket{${labels({ route, le: String(bound) })}} ${histogram.counts[index] ?? 0}`,
        );
      });
      lines.push(`${name}_bucket{${labels({ route, le: '+Inf' })}} ${histogram.count}`);
      lines.push(`${name}_sum{${labels({ route })}} ${histogram.sum}`);
      lines.push(`${name}_count{${labels({ route })}} ${histogram.count}`);
    }
    const more = await Promise.all(this.extra.map((source) => source.registry.metrics()));
    return [`${lines.join('\n')}\n`, ...more].join('');
  }

  close(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    for (const source of this.extra.splice(0)) source.close?.();
  }
}
