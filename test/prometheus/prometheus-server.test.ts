import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResilience, ServiceUnavailableError } from '../../src/core/index.js';
import { prometheusMetrics } from '../../src/prometheus/index.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus-server.js';
import { waitFor } from '../support/wait-for.js';
import { serveMetrics } from './helpers.js';

/** A real Prometheus scrapes a running breakwater service; the series are read back through its HTTP API. */
describe('a real Prometheus server scraping breakwater', () => {
  const resilience = createResilience();
  const metrics = prometheusMetrics(resilience);
  let service: Awaited<ReturnType<typeof serveMetrics>>;
  let prometheus: PrometheusServer;
  let healthy = true;
  const pay = resilience.wrap(
    'pay',
    () => (healthy ? Promise.resolve('paid') : Promise.reject(new ServiceUnavailableError('down'))),
    {
      config: {
        retry: false,
        circuitBreaker: { trip: { kind: 'consecutive', threshold: 3 }, openMs: 600_000 },
      },
    },
  );

  beforeAll(async () => {
    service = await serveMetrics(metrics.registry);
    prometheus = await startPrometheus([service.target]);
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
    await service?.close();
    metrics.close();
  });

  /** Waits until `promql` returns a sample whose value satisfies `accept`. */
  const until = async (promql: string, accept: (value: number) => boolean): Promise<number> => {
    let seen = Number.NaN;
    await waitFor(
      async () => {
        const [sample] = await prometheus.query(promql);
        seen = sample?.value ?? Number.NaN;
        return sample !== undefined && accept(sample.value);
      },
      15_000,
      `${promql} in Prometheus`,
      200,
    );
    return seen;
  };

  it('finds calls by outcome, the state gauge flipping to open and the transition', async () => {
    for (let i = 0; i < 5; i++) await pay();
    expect(
      await until('breakwater_calls_total{operation="pay",outcome="success"}', (v) => v === 5),
    ).toBe(5);
    expect(
      await until('breakwater_circuit_state{operation="pay",state="closed"}', (v) => v === 1),
    ).toBe(1);

    healthy = false;
    for (let i = 0; i < 5; i++) await pay().catch(() => undefined);
    expect(resilience.breaker('pay')?.state).toBe('open');
    expect(
      await until('breakwater_circuit_state{operation="pay",state="open"}', (v) => v === 1),
    ).toBe(1);
    expect(
      await until('breakwater_calls_total{operation="pay",outcome="failure"}', (v) => v === 3),
    ).toBe(3);
    expect(
      await until('breakwater_calls_total{operation="pay",outcome="rejected"}', (v) => v === 2),
    ).toBe(2);
    expect(
      await until(
        'breakwater_circuit_transitions_total{operation="pay",from="closed",to="open"}',
        (v) => v === 1,
      ),
    ).toBe(1);
    expect(
      await until(
        'breakwater_rejections_total{operation="pay",reason="circuit_open"}',
        (v) => v === 2,
      ),
    ).toBe(2);
    const closed = await prometheus.query(
      'breakwater_circuit_state{operation="pay",state="closed"}',
    );
    expect(closed.map((sample) => sample.value)).toEqual([0]);
    const [count] = await prometheus.query(
      'sum(breakwater_call_duration_seconds_count{operation="pay"})',
    );
    expect(count?.value).toBe(10);
    const [up] = await prometheus.query('breakwater_store_up');
    expect(up?.value).toBe(1);
  }, 40_000);

  it('answers every query of the shipped dashboard, for an operation it scraped', async () => {
    const dashboard = JSON.parse(
      readFileSync(new URL('../../dashboards/breakwater.json', import.meta.url), 'utf8'),
    ) as { panels: { title: string; targets?: { expr: string }[] }[] };
    // Grafana's variables, as Grafana would fill them in.
    const filled = (expr: string): string =>
      expr.replaceAll('$operation', 'pay').replaceAll('$__rate_interval', '1m');
    /** The values each panel's queries answered, by panel title. */
    const answers = new Map<string, number[]>();
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        // A query Prometheus refuses throws here, naming it.
        const samples = await prometheus.query(filled(target.expr));
        const values = samples.map((sample) => sample.value);
        answers.set(panel.title, [...(answers.get(panel.title) ?? []), ...values]);
      }
    }
    expect(answers.get('Circuits open')).toEqual([1]);
    expect(answers.get('Circuits closed')).toEqual([0]);
    expect(answers.get('Breaker store')).toEqual([1]);
    expect(answers.get('Circuit state')?.length).toBe(1);
  }, 20_000);
});
