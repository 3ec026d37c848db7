import { Registry, type OpenMetricsContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createResilience, ServiceUnavailableError } from '../../src/core/index.js';
import { prometheusMetrics } from '../../src/prometheus/index.js';
import { parseExposition, sampleValue } from './helpers.js';

const down = (): Promise<never> => Promise.reject(new ServiceUnavailableError('down'));

/** Calls on `resilience` that cover every metric, under names that need escaping. */
async function callsOn(resilience: ReturnType<typeof createResilience>): Promise<void> {
  const config = {
    retry: { maxAttempts: 2, backoff: { kind: 'constant' as const, delayMs: 0 } },
    circuitBreaker: { trip: { kind: 'consecutive' as const, threshold: 1 }, openMs: 60_000 },
  };
  for (const name of ['plain', 'with "quotes"', 'back\\slash', 'new\nline']) {
    await resilience.execute(name, () => name, { config });
    await resilience.execute(name, down, { config, fallback: () => 'cached' });
    await resilience.execute(name, down, { config }).catch(() => undefined);
  }
}

describe('prometheusMetrics text exposition', () => {
  it('writes the same lines as prom-client’s own sample writer, escaped alike', async () => {
    const resilience = createResilience();
    const registry = new Registry();
    const metrics = prometheusMetrics(resilience, { registry });
    await callsOn(resilience);
    const written = await registry.metrics();

    // Default labels make the registry write every sample itself; without the added label
    // its text must be the same, line for line.
    registry.setDefaultLabels({ zone: 'a' });
    const byRegistry = await registry.metrics();
    expect(byRegistry).toMatch(/\{zone="a",operation="with \\"quotes\\""/);
    expect(byRegistry.replace(/\{zone="a",/g, '{').replace(/\{zone="a"\}/g, '')).toBe(written);
    expect(byRegistry).toMatch(/^breakwater_store_up\{zone="a"\} 1$/m);

    const samples = parseExposition(written);
    expect(
      sampleValue(samples, 'breakwater_calls_total', {
        operation: 'new\nline',
        outcome: 'fallback',
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, 'breakwater_circuit_state', { operation: 'back\\slash', state: 'open' }),
    ).toBe(1);
    expect(sampleValue(samples, 'breakwater_retries_total', { operation: 'plain' })).toBe(1);
    metrics.close();
  });

  it('writes OpenMetrics when the registry is set to it: counters’ samples end in _total', async () => {
    const resilience = createResilience();
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    // The option's type names a Prometheus-format registry; an OpenMetrics one still works.
    const metrics = prometheusMetrics(resilience, { registry: registry as unknown as Registry });
    await callsOn(resilience);
    const text = await registry.metrics();
    expect(text).toMatch(/^# TYPE breakwater_calls counter$/m);
    expect(text).toMatch(/^breakwater_calls_total\{operation="plain",outcome="success"\} 1$/m);
    expect(text).not.toMatch(/_total_total/);
    expect(text).toMatch(
      /^breakwater_call_duration_seconds_bucket\{operation="plain",.*le="\+Inf"\} 1$/m,
    );
    expect(text.endsWith('# EOF\n')).toBe(true);
    metrics.close();
  });

  it('answers getMetricsAsJSON with every label in labels', async () => {
    const resilience = createResilience();
    const metrics = prometheusMetrics(resilience);
    await callsOn(resilience);
    const json = await metrics.registry.getMetricsAsJSON();
    const calls = json.find((metric) => metric.name === 'breakwater_calls_total');
    expect(calls?.values).toContainEqual({
      value: 1,
      labels: { operation: 'with "quotes"', outcome: 'success' },
    });
    const duration = json.find((metric) => metric.name === 'breakwater_call_duration_seconds');
    expect(duration?.values).toContainEqual({
      value: 1,
      labels: { operation: 'plain', outcome: 'success', le: '+Inf' },
      metricName: 'breakwater_call_duration_seconds_bucket',
    });
    const store = json.find((metric) => metric.name === 'breakwater_store_up');
    expect(store?.values).toEqual([{ value: 1, labels: {} }]);
    metrics.close();
  });

  it('writes a family without samples as its HELP and TYPE alone', async () => {
    const metrics = prometheusMetrics(createResilience());
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/# TYPE breakwater_retries_total counter\n\n# HELP/);
    metrics.close();
  });
});
