import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import type { Meter } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createResilience,
  ServiceUnavailableError,
  type CircuitStore,
  type OperationConfig,
} from '../../src/core/index.js';
import { openTelemetryMetrics } from '../../src/otel/index.js';
import { ManualClock } from '../support/clock.js';

const down = (): Promise<never> => Promise.reject(new ServiceUnavailableError('down'));
const tripsAt = (threshold: number): OperationConfig => ({
  retry: false,
  circuitBreaker: { trip: { kind: 'consecutive', threshold }, openMs: 60_000 },
});

/** A meter whose instruments the OpenTelemetry SDK collects into an in-memory exporter on demand. */
function sdk() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    meter: provider.getMeter('breakwater-test'),
    /** Collects now and returns the metrics of this collection, by name. */
    collect: async (): Promise<Map<string, MetricData>> => {
      exporter.reset();
      await reader.forceFlush();
      const metrics = exporter
        .getMetrics()
        .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics));
      return new Map(metrics.map((metric) => [metric.descriptor.name, metric]));
    },
    shutdown: () => provider.shutdown(),
  };
}

/** The value of the data point whose attributes include `attributes`. */
function pointValue(metric: MetricData | undefined, attributes: Record<string, string>): unknown {
  return metric?.dataPoints.find((point) =>
    Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
  )?.value;
}

describe('openTelemetryMetrics (SPEC §8.1), collected by the OpenTelemetry SDK', () => {
  const providers: ReturnType<typeof sdk>[] = [];
  const start = () => {
    const made = sdk();
    providers.push(made);
    return made;
  };
  afterEach(async () => {
    for (const provider of providers.splice(0)) await provider.shutdown();
  });

  it('reports calls by outcome and durations in seconds with exact buckets, sum and count', async () => {
    const { meter, collect } = start();
    const clock = new ManualClock(0);
    const resilience = createResilience({ clock });
    const handle = openTelemetryMetrics(resilience, { meter });
    const config: OperationConfig = { retry: false };
    for (const ms of [20, 30, 1_500]) {
      await resilience.execute(
        'llm',
        () => {
          clock.advance(ms);
          return 'ok';
        },
        { config },
      );
    }
    await resilience.execute('llm', down, { config }).catch(() => undefined);
    await resilience.execute('llm', down, { fallback: () => 'cached' });
    const metrics = await collect();
    const calls = metrics.get('breakwater.calls');
    const at = (outcome: string) =>
      pointValue(calls, { 'breakwater.operation': 'llm', 'breakwater.outcome': outcome });
    expect([at('success'), at('failure'), at('fallback')]).toEqual([3, 1, 1]);
    const duration = metrics.get('breakwater.call.duration');
    expect(duration?.descriptor.unit).toBe('s');
    expect(duration?.dataPointType).toBe(DataPointType.HISTOGRAM);
    const histogram = pointValue(duration, {
      'breakwater.operation': 'llm',
      'breakwater.outcome': 'success',
    }) as { count: number; sum: number; buckets: { boundaries: number[]; counts: number[] } };
    expect(histogram.count).toBe(3);
    expect(histogram.sum).toBeCloseTo(1.55, 9);
    expect(histogram.buckets.boundaries.at(-1)).toBe(120);
    const le = (bound: number) =>
      histogram.buckets.counts
        .slice(0, histogram.buckets.boundaries.indexOf(bound) + 1)
        .reduce((a, b) => a + b, 0);
    expect([le(0.025), le(0.05), le(1), le(2.5)]).toEqual([1, 2, 2, 3]);
    expect(
      pointValue(metrics.get('breakwater.fallbacks'), {
        'breakwater.operation': 'llm',
        'breakwater.source': 'fallback',
      }),
    ).toBe(1);

    // Cumulative: a later collection adds only what happened since.
    await resilience.execute('llm', () => 'ok', { config });
    const again = (await collect()).get('breakwater.call.duration');
    const next = pointValue(again, {
      'breakwater.operation': 'llm',
      'breakwater.outcome': 'success',
    }) as { count: number };
    expect(next.count).toBe(4);
    handle.close();
  });

  it('reports retries, rejections by reason, transitions, and the circuit state as an observable gauge', async () => {
    const { meter, collect } = start();
    const resilience = createResilience();
    const handle = openTelemetryMetrics(resilience, { meter });
    const flaky = resilience.wrap('flaky', down, {
      config: { retry: { maxAttempts: 2, backoff: { kind: 'constant', delayMs: 0 } } },
    });
    await flaky().catch(() => undefined);
    const guarded = resilience.wrap('guarded', down, { config: tripsAt(1) });
    for (let i = 0; i < 3; i++) await guarded().catch(() => undefined);
    const metrics = await collect();
    expect(pointValue(metrics.get('breakwater.retries'), { 'breakwater.operation': 'flaky' })).toBe(
      1,
    );
    expect(
      pointValue(metrics.get('breakwater.rejections'), {
        'breakwater.operation': 'guarded',
        'breakwater.reason': 'circuit_open',
      }),
    ).toBe(2);
    expect(
      pointValue(metrics.get('breakwater.circuit.transitions'), {
        'breakwater.operation': 'guarded',
        'breakwater.from': 'closed',
        'breakwater.to': 'open',
      }),
    ).toBe(1);
    const state = metrics.get('breakwater.circuit.state');
    expect(state?.dataPointType).toBe(DataPointType.GAUGE);
    const guardedStates: Record<string, unknown> = Object.fromEntries(
      (state?.dataPoints ?? [])
        .filter((point) => point.attributes['breakwater.operation'] === 'guarded')
        .map((point) => [String(point.attributes['breakwater.state']), point.value] as const),
    );
    expect(guardedStates).toEqual({ closed: 0, open: 1, 'half-open': 0, isolated: 0, disabled: 0 });
    // Read at collection time: an operator's isolate shows at the next collection.
    resilience.breaker('guarded')?.isolate();
    const isolated = (await collect()).get('breakwater.circuit.state');
    expect(
      pointValue(isolated, { 'breakwater.operation': 'guarded', 'breakwater.state': 'isolated' }),
    ).toBe(1);
    expect(pointValue((await collect()).get('breakwater.store.up'), {})).toBe(1);

    const rated: OperationConfig = {
      retry: false,
      circuitBreaker: {
        trip: {
          kind: 'failure-rate',
          threshold: 0.5,
          minimumCalls: 10,
          window: { kind: 'count', size: 20 },
        },
      },
    };
    for (let i = 0; i < 3; i++) await resilience.execute('search', () => 'ok', { config: rated });
    await resilience.execute('search', down, { config: rated }).catch(() => undefined);
    const failureRate = (await collect()).get('breakwater.circuit.failure_rate');
    expect(failureRate?.dataPointType).toBe(DataPointType.GAUGE);
    expect(pointValue(failureRate, { 'breakwater.operation': 'search' })).toBe(0.25);
    handle.close();
  });

  it('counts the half-open probes a store decided without the fleet, by decision', async () => {
    const { meter, collect } = start();
    const store: CircuitStore = {
      attach: () => ({ recordTransition: () => undefined }),
      close: () => Promise.resolve(),
      status: () => ({ connection: 'unreachable', localProbes: 0, refusedProbes: 3 }),
    };
    const handle = openTelemetryMetrics(createResilience({ store }), { meter });
    const probes = (await collect()).get('breakwater.store.unshared_probes');
    expect(pointValue(probes, { 'breakwater.decision': 'refused' })).toBe(3);
    expect(pointValue(probes, { 'breakwater.decision': 'local' })).toBe(0);
    expect(pointValue((await collect()).get('breakwater.store.up'), {})).toBe(0);
    handle.close();
  });

  it('bounds the operation attribute and stops reporting after close()', async () => {
    const { meter, collect } = start();
    const resilience = createResilience();
    const handle = openTelemetryMetrics(resilience, { meter, maxOperations: 1 });
    await resilience.execute('a', () => 1);
    await resilience.execute('b', () => 1);
    await resilience.execute('c', () => 1);
    const calls = (await collect()).get('breakwater.calls');
    expect(calls?.dataPoints.map((point) => point.attributes['breakwater.operation'])).toEqual([
      'a',
      'other',
    ]);
    handle.close();
    handle.close();
    await resilience.execute('a', () => 1);
    // A cumulative reader keeps the last totals it saw; after close() they no longer move.
    const after = (await collect()).get('breakwater.calls');
    expect(pointValue(after, { 'breakwater.operation': 'a' })).toBe(1);
  });

  it('refuses a missing meter and invalid options', () => {
    const resilience = createResilience();
    expect(() => openTelemetryMetrics(resilience, { meter: {} as Meter })).toThrow(
      /openTelemetryMetrics: meter must be an OpenTelemetry Meter/,
    );
    const { meter } = start();
    expect(() => openTelemetryMetrics(resilience, { meter, maxOperations: 1.5 })).toThrow(
      RangeError,
    );
    expect(() => openTelemetryMetrics(resilience, { meter, buckets: [2, 1] })).toThrow(
      /openTelemetryMetrics: buckets must be/,
    );
  });
});
