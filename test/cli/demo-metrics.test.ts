import { describe, expect, it } from 'vitest';
import { serveDemoMetrics } from '../../src/cli/demo/metrics-endpoint.js';
import { createResilience } from '../../src/core/index.js';

describe('the demo’s /metrics endpoint', () => {
  it('serves the Prometheus text format on 127.0.0.1, and nothing else', async () => {
    const resilience = createResilience();
    const endpoint = await serveDemoMetrics(resilience);
    try {
      expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      await resilience.execute('summarize', () => 'ok');
      const response = await fetch(endpoint.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toContain(
        'breakwater_calls_total{operation="summarize",outcome="success"} 1',
      );
      expect((await fetch(endpoint.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await endpoint.close();
    }
    await expect(fetch(endpoint.url)).rejects.toThrow();
  });
});
