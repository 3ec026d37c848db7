import { Agent } from 'undici';
import type { OperationConfig } from '../core/orchestrator/config.js';
import type { UpstreamConfig, ValidGatewayConfig } from './config/schema.js';
import { DEFAULT_CONNECTIONS } from './proxy/defaults.js';
import type { UpstreamTarget } from './proxy/attempt.js';

/** An upstream's breaker when its config names none: five failures in a row, open 30 s. */
const DEFAULT_BREAKER = { trip: { kind: 'consecutive', threshold: 5 }, openMs: 30_000 } as const;

/**
 * The orchestrator operation of one upstream: its breaker, bulkhead and rate limit. Retries
 * and timeouts are the route's business (they differ per route), so the operation has none.
 */
export function operationFor(upstream: UpstreamConfig): OperationConfig {
  return {
    retry: false,
    timeout: false,
    fallback: false,
    circuitBreaker: upstream.circuitBreaker ?? DEFAULT_BREAKER,
    bulkhead: upstream.bulkhead ?? false,
    rateLimit: upstream.rateLimit ?? false,
  };
}

export function operationsFor(config: ValidGatewayConfig): Record<string, OperationConfig> {
  return Object.fromEntries(
    Object.entries(config.upstreams).map(([name, upstream]) => [name, operationFor(upstream)]),
  );
}

/** The connection pools, one per upstream, reused across reloads while the URL and size stay. */
export class UpstreamPools {
  private readonly pools = new Map<string, { key: string; agent: Agent }>();

  /** The targets of `config`; pools of upstreams that changed or went are closed. */
  targets(config: ValidGatewayConfig): Map<string, UpstreamTarget> {
    const targets = new Map<string, UpstreamTarget>();
    const stale = new Set(this.pools.keys());
    for (const [name, upstream] of Object.entries(config.upstreams)) {
      const base = new URL(upstream.url);
      const connections = upstream.connections ?? DEFAULT_CONNECTIONS;
      const key = `${base.origin}|${connections}`;
      let pool = this.pools.get(name);
      if (pool?.key !== key) {
        if (pool !== undefined) void pool.agent.close();
        pool = {
          key,
          agent: new Agent({ connections, keepAliveTimeout: 30_000, pipelining: 1 }),
        };
        this.pools.set(name, pool);
      }
      stale.delete(name);
      targets.set(name, { name, base, headers: upstream.headers, dispatcher: pool.agent });
    }
    for (const name of stale) {
      void this.pools.get(name)?.agent.close();
      this.pools.delete(name);
    }
    return targets;
  }

  async close(): Promise<void> {
    const agents = [...this.pools.values()].map((pool) => pool.agent);
    this.pools.clear();
    await Promise.all(agents.map((agent) => agent.destroy()));
  }
}
