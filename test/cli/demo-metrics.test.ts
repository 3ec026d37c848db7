import { describe, expect, it } from 'vitest';
import { serveDashboard } from '../../src/cli/demo/dashboard.js';
import { createResilience } from '../../src/core/index.js';

describe('the demo’s Prometheus metrics', () => {
  it('are served at /metrics next to the dashboard, on 127.0.0.1', async () => {
    const resilience = createResilience();
    const dashboard = await serveDashboard(resilience);
    const url = `${dashboard.url}metrics`;
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      await resilience.execute('summarize', () => 'ok');
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toContain('breakwater_calls_total{operation="summarize",outcome="success"} 1');
      expect(text).toContain('breakwater_circuit_state{operation="summarize",state="closed"} 1');
    } finally {
      await dashboard.close();
    }
    await expect(fetch(url)).rejects.toThrow();
  });
});
