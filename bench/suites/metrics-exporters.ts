import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { createResilience } from '../../src/core/index.js';
import { openTelemetryMetrics } from '../../src/otel/index.js';
import { prometheusMetrics } from '../../src/prometheus/index.js';
import type { BenchMeasurement, BenchSuite } from '../harness.js';

const answer = (): Promise<number> => Promise.resolve(1);
const OPERATIONS = 1_000;

/** A balanced `wrap` on an orchestrator of its own, with `attach` applied to that orchestrator. */
function wrapped(attach: (resilience: ReturnType<typeof createResilience>) => void) {
  const resilience = createResilience();
  attach(resilience);
  return resilience.wrap('bench', answer, { strategy: 'balanced' });
}

interface Timing {
  readonly median: number;
  readonly best: number;
  /** The process's CPU time, median: what a run costs, less what neighbours on the machine add. */
  readonly cpuMedian: number;
}

const medianOf = (samples: number[]): number =>
  samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN;

const ROUNDS = 21;
const CALLS_PER_BATCH = 20_000;

/** Nanoseconds per call of `call`, over one batch of sequential calls. */
async function batchNs(call: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS_PER_BATCH; i++) await call();
  return Number(process.hrtime.bigint() - started) / CALLS_PER_BATCH;
}

/**
 * The three calls timed side by side in each round, their order rotating, and each
 * exporter's ratio to the plain call taken within its round: single timings of these rows
 * moved by ±0.2× between runs minutes apart, which the ratio of a round does not.
 */
async function pairedRounds(
  plain: () => Promise<unknown>,
  prometheus: () => Promise<unknown>,
  otel: () => Promise<unknown>,
) {
  const calls = [plain, prometheus, otel];
  for (const call of calls) for (let i = 0; i < 5; i++) await batchNs(call);
  const times: number[][] = [[], [], []];
  const prometheusRatios: number[] = [];
  const otelRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const ns = [0, 0, 0];
    for (let k = 0; k < calls.length; k++) {
      const index = (round + k) % calls.length;
      ns[index] = await batchNs(calls[index] as () => Promise<unknown>);
    }
    const [p, m, o] = ns as [number, number, number];
    times[0]?.push(p);
    times[1]?.push(m);
    times[2]?.push(o);
    prometheusRatios.push(m / p);
    otelRatios.push(o / p);
  }
  return {
    plain: medianOf(times[0] ?? []),
    prometheus: medianOf(times[1] ?? []),
    otel: medianOf(times[2] ?? []),
    prometheusRatio: medianOf(prometheusRatios),
    otelRatio: medianOf(otelRatios),
  };
}

/** Milliseconds of `fn` over `rounds` runs: the median and the best of wall time, the median of CPU time. */
async function timedMs(fn: () => Promise<unknown>, rounds = 15): Promise<Timing> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    const cpuStarted = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(cpuStarted);
    wall.push(Number(process.hrtime.bigint() - started) / 1e6);
    cpu.push((used.user + used.system) / 1e3);
  }
  const median = medianOf(wall);
  return { median, best: Math.min(...wall), cpuMedian: medianOf(cpu) };
}

/** The exporters' cost on the call path (against the same call without them) and per scrape. */
const suite: BenchSuite = {
  title: 'metrics exporters',
  measure: async (): Promise<BenchMeasurement[]> => {
    const plain = wrapped(() => undefined);
    const withPrometheus = wrapped((resilience) => prometheusMetrics(resilience));
    const provider = new MeterProvider({
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
          exportIntervalMillis: 3_600_000,
        }),
      ],
    });
    const meter = provider.getMeter('bench');
    const withOtel = wrapped((resilience) => openTelemetryMetrics(resilience, { meter }));
    // Interleaved passes, the best of each kept, so that drift on a shared machine hits every
    // variant alike and a pass slowed by a neighbour does not decide the ratio.
    const ns = await pairedRounds(plain, withPrometheus, withOtel);

    const scraped = createResilience();
    const metrics = prometheusMetrics(scraped);
    const otelScraped = createResilience();
    const otelReader = new PeriodicExportingMetricReader({
      exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
      exportIntervalMillis: 3_600_000,
    });
    const otelProvider = new MeterProvider({ readers: [otelReader] });
    openTelemetryMetrics(otelScraped, { meter: otelProvider.getMeter('bench') });
    for (let i = 0; i < OPERATIONS; i++) {
      const a = scraped.wrap(`operation-${i}`, answer);
      const b = otelScraped.wrap(`operation-${i}`, answer);
      for (let call = 0; call < 5; call++) await Promise.all([a(), b()]);
    }
    const scrapeMs = await timedMs(() => metrics.registry.metrics());
    const collectMs = await timedMs(() => otelReader.forceFlush());
    await provider.shutdown();
    await otelProvider.shutdown();
    return [
      {
        name: 'wrap, balanced, without an exporter',
        library: 'breakwater',
        value: ns.plain,
        unit: 'ns/call',
      },
      {
        name: 'wrap, balanced, Prometheus exporter attached (× the same call without)',
        library: 'breakwater',
        value: ns.prometheusRatio,
        unit: `× (${ns.prometheusRatio.toFixed(2)}; ${ns.prometheus.toFixed(0)} ns/call; median of ${ROUNDS} paired rounds)`,
        target: '≤ 1.3×',
      },
      {
        name: 'wrap, balanced, OpenTelemetry exporter attached, SDK meter (× the same call without)',
        library: 'breakwater',
        value: ns.otelRatio,
        unit: `× (${ns.otelRatio.toFixed(2)}; ${ns.otel.toFixed(0)} ns/call; median of ${ROUNDS} paired rounds)`,
        target: '≤ 1.3×',
      },
      {
        name: `Prometheus scrape (registry.metrics()) of ${OPERATIONS} operations, median`,
        library: 'breakwater',
        value: scrapeMs.median,
        unit: `ms (best ${scrapeMs.best.toFixed(1)} ms, CPU ${scrapeMs.cpuMedian.toFixed(1)} ms)`,
        target: '≤ 20 ms',
      },
      {
        name: `OpenTelemetry collection of ${OPERATIONS} operations, median`,
        library: 'breakwater',
        value: collectMs.median,
        unit: `ms (best ${collectMs.best.toFixed(1)} ms, CPU ${collectMs.cpuMedian.toFixed(1)} ms)`,
      },
    ];
  },
};

export default suite;
