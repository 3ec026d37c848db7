import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  createResilience,
  ServiceUnavailableError,
  type CircuitStore,
  type OperationConfig,
} from '../../src/core/index.js';
import { prometheusMetrics } from '../../src/prometheus/index.js';
import { ManualClock } from '../support/clock.js';
import { parseExposition, sampleValue, type ExposedSample } from './helpers.js';

const down = (): Promise<never> => Promise.reject(new ServiceUnavailableError('down'));
const noRetry: OperationConfig = { retry: false };
const tripsAt = (threshold: number): OperationConfig => ({
  retry: false,
  circuitBreaker: { trip: { kind: 'consecutive', threshold }, openMs: 60_000 },
});

async function scrape(registry: Registry): Promise<ExposedSample[]> {
  return parseExposition(await registry.metrics());
}

describe('prometheusMetrics (SPEC §8.1)', () => {
  it('registers every metric of §8.1 on a registry of its own, and no default metrics', async () => {
    const metrics = prometheusMetrics(createResilience());
    const text = await metrics.registry.metrics();
    const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(families).toEqual([
      'breakwater_calls_total counter',
      'breakwater_call_duration_seconds histogram',
      'breakwater_retries_total counter',
      'breakwater_fallbacks_total counter',
      'breakwater_rejections_total counter',
      'breakwater_circuit_transitions_total counter',
      'breakwater_circuit_state gauge',
      'breakwater_circuit_failure_rate gauge',
      'breakwater_circuit_failure_rate_threshold gauge',
      'breakwater_store_up gauge',
      'breakwater_store_unshared_probes_total counter',
    ]);
    expect(text).not.toMatch(/process_|nodejs_/);
    metrics.close();
  });

  it('uses the caller’s registry and prefix, next to the caller’s own metrics', async () => {
    const registry = new Registry();
    const resilience = createResilience();
    const metrics = prometheusMetrics(resilience, { registry, prefix: 'app_bw_' });
    expect(metrics.registry).toBe(registry);
    await resilience.execute('q', () => 1);
    const samples = await scrape(registry);
    expect(sampleValue(samples, 'app_bw_calls_total', { operation: 'q', outcome: 'success' })).toBe(
      1,
    );
    expect(samples.some((sample) => sample.name.startsWith('breakwater_'))).toBe(false);
    metrics.close();
  });

  it('counts calls by outcome and times them in seconds, up to 120 s buckets', async () => {
    const clock = new ManualClock(1_000);
    const resilience = createResilience({ clock });
    const metrics = prometheusMetrics(resilience);
    const slow = (): Promise<string> => {
      clock.advance(1_500);
      return Promise.resolve('late');
    };
    await resilience.execute('llm', slow, { config: noRetry });
    await resilience.execute('llm', () => 'quick', { config: noRetry });
    await resilience.execute('llm', down, { config: noRetry }).catch(() => undefined);
    await resilience.execute('llm', down, { fallback: () => 'cached' });
    const samples = await scrape(metrics.registry);
    const calls = (outcome: string) =>
      sampleValue(samples, 'breakwater_calls_total', { operation: 'llm', outcome });
    expect([calls('success'), calls('failure'), calls('fallback'), calls('rejected')]).toEqual([
      2,
      1,
      1,
      undefined,
    ]);
    const bucket = (le: string) =>
      sampleValue(samples, 'breakwater_call_duration_seconds_bucket', {
        operation: 'llm',
        outcome: 'success',
        le,
      });
    expect([bucket('1'), bucket('2.5'), bucket('120'), bucket('+Inf')]).toEqual([1, 2, 2, 2]);
    expect(
      sampleValue(samples, 'breakwater_call_duration_seconds_sum', {
        operation: 'llm',
        outcome: 'success',
      }),
    ).toBe(1.5);
    expect(
      sampleValue(samples, 'breakwater_fallbacks_total', { operation: 'llm', source: 'fallback' }),
    ).toBe(1);
    metrics.close();
  });

  it('counts retries, and rejections by reason: circuit_open, bulkhead_full, rate_limited', async () => {
    const resilience = createResilience();
    const metrics = prometheusMetrics(resilience);
    const flaky = resilience.wrap('flaky', down, {
      config: { retry: { maxAttempts: 3, backoff: { kind: 'constant', delayMs: 0 } } },
    });
    await flaky().catch(() => undefined);
    const guarded = resilience.wrap('guarded', down, { config: tripsAt(1) });
    for (let i = 0; i < 3; i++) await guarded().catch(() => undefined);
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const narrow = resilience.wrap('narrow', () => held, {
      config: { ...noRetry, bulkhead: { maxConcurrent: 1, maxQueue: 0 } },
    });
    const first = narrow();
    await narrow().catch(() => undefined);
    release();
    await first;
    const limited = resilience.wrap('limited', () => 'ok', {
      config: { ...noRetry, rateLimit: { rate: 1, intervalMs: 60_000, burst: 1 } },
    });
    await limited();
    await limited().catch(() => undefined);

    const samples = await scrape(metrics.registry);
    expect(sampleValue(samples, 'breakwater_retries_total', { operation: 'flaky' })).toBe(2);
    const rejections = (operation: string, reason: string) =>
      sampleValue(samples, 'breakwater_rejections_total', { operation, reason });
    expect(rejections('guarded', 'circuit_open')).toBe(2);
    expect(rejections('narrow', 'bulkhead_full')).toBe(1);
    expect(rejections('limited', 'rate_limited')).toBe(1);
    expect(
      sampleValue(samples, 'breakwater_calls_total', { operation: 'guarded', outcome: 'rejected' }),
    ).toBe(2);
    expect(
      sampleValue(samples, 'breakwater_circuit_transitions_total', {
        operation: 'guarded',
        from: 'closed',
        to: 'open',
      }),
    ).toBe(1);
    metrics.close();
  });

  it('reads breaker state at scrape time, even for changes it saw no event of', async () => {
    const resilience = createResilience();
    const guarded = resilience.wrap('guarded', down, { config: tripsAt(2) });
    for (let i = 0; i < 2; i++) await guarded().catch(() => undefined);
    // Attached after the breaker opened: no event told it so.
    const metrics = prometheusMetrics(resilience);
    const state = async (value: string) =>
      sampleValue(await scrape(metrics.registry), 'breakwater_circuit_state', {
        operation: 'guarded',
        state: value,
      });
    expect([await state('open'), await state('closed')]).toEqual([1, 0]);
    resilience.breaker('guarded')?.isolate();
    expect([await state('isolated'), await state('open')]).toEqual([1, 0]);
    resilience.breaker('guarded')?.disable();
    expect(await state('disabled')).toBe(1);
    resilience.removeOperation('guarded');
    expect(await state('disabled')).toBeUndefined();
    metrics.close();
  });

  it('reports the breaker window’s failure rate (0–1) and the threshold it trips at', async () => {
    const resilience = createResilience();
    const metrics = prometheusMetrics(resilience);
    const config: OperationConfig = {
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
    for (let i = 0; i < 3; i++) await resilience.execute('search', () => 'ok', { config });
    await resilience.execute('search', down, { config }).catch(() => undefined);
    const samples = await scrape(metrics.registry);
    expect(sampleValue(samples, 'breakwater_circuit_failure_rate', { operation: 'search' })).toBe(
      0.25,
    );
    expect(
      sampleValue(samples, 'breakwater_circuit_failure_rate_threshold', { operation: 'search' }),
    ).toBe(0.5);
    metrics.close();
  });

  it('bounds the operation label: past maxOperations every operation is "other"', async () => {
    const resilience = createResilience();
    const metrics = prometheusMetrics(resilience, { maxOperations: 2 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await resilience.execute(name, () => name);
    const samples = await scrape(metrics.registry);
    const operations = new Set(
      samples.filter((s) => s.name === 'breakwater_calls_total').map((s) => s.labels.operation),
    );
    expect([...operations]).toEqual(['a', 'b', 'other']);
    expect(
      sampleValue(samples, 'breakwater_calls_total', { operation: 'other', outcome: 'success' }),
    ).toBe(3);
    // The state gauge counts the circuits behind "other" in each state.
    expect(
      sampleValue(samples, 'breakwater_circuit_state', { operation: 'other', state: 'closed' }),
    ).toBe(3);
    metrics.close();
  });

  it('reports the breaker store as up or down', async () => {
    let connection = 'ready';
    const store: CircuitStore = {
      attach: () => ({ recordTransition: () => undefined }),
      close: () => Promise.resolve(),
      status: () => ({ connection }),
    };
    const resilience = createResilience({ store });
    const metrics = prometheusMetrics(resilience);
    expect(sampleValue(await scrape(metrics.registry), 'breakwater_store_up')).toBe(1);
    connection = 'unreachable';
    expect(sampleValue(await scrape(metrics.registry), 'breakwater_store_up')).toBe(0);
    metrics.close();
  });

  it('counts the half-open probes a store decided without the fleet, by decision (onStoreUnavailable)', async () => {
    const status = { connection: 'unreachable', localProbes: 2, refusedProbes: 0 };
    const store: CircuitStore = {
      attach: () => ({ recordTransition: () => undefined }),
      close: () => Promise.resolve(),
      status: () => status,
    };
    const metrics = prometheusMetrics(createResilience({ store }));
    const probes = (decision: string) => async () =>
      sampleValue(await scrape(metrics.registry), 'breakwater_store_unshared_probes_total', {
        decision,
      });
    expect(await probes('local')()).toBe(2);
    expect(await probes('refused')()).toBe(0);
    status.refusedProbes = 5;
    expect(await probes('refused')()).toBe(5);
    metrics.close();
    // A store that keeps state in this process has none to report.
    const local = prometheusMetrics(createResilience());
    const text = await local.registry.metrics();
    expect(text).not.toMatch(/^breakwater_store_unshared_probes_total\{/m);
    local.close();
  });

  it('close() stops counting and removes its metrics, so the registry can take them again', async () => {
    const registry = new Registry();
    const resilience = createResilience();
    const metrics = prometheusMetrics(resilience, { registry });
    await resilience.execute('q', () => 1);
    metrics.close();
    metrics.close();
    expect(await registry.metrics()).not.toMatch(/breakwater_/);
    const again = prometheusMetrics(resilience, { registry });
    await resilience.execute('q', () => 1);
    expect(
      sampleValue(await scrape(registry), 'breakwater_calls_total', {
        operation: 'q',
        outcome: 'success',
      }),
    ).toBe(1);
    again.close();
  });

  it('refuses invalid options, naming the option, the value and what it accepts', () => {
    const resilience = createResilience();
    expect(() => prometheusMetrics(resilience, { maxOperations: 0 })).toThrow(
      /prometheusMetrics: maxOperations must be an integer ≥ 1, got 0/,
    );
    expect(() => prometheusMetrics(resilience, { buckets: [1, 0.5] })).toThrow(RangeError);
    expect(() => prometheusMetrics(resilience, { buckets: [] })).toThrow(/buckets must be/);
    expect(() => prometheusMetrics(resilience, { prefix: '9x' })).toThrow(
      /prometheusMetrics: prefix must be/,
    );
    expect(() => prometheusMetrics(resilience, { registry: {} as unknown as Registry })).toThrow(
      /registry must be a prom-client Registry/,
    );
  });
});
