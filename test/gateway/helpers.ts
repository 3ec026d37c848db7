import { createGateway, type Gateway, type GatewayConfig } from '../../src/gateway/index.js';
import type { FakeUpstream } from '../support/fake-llm.js';

export interface Running {
  readonly gateway: Gateway;
  readonly url: string;
  /** The admin port's URL, when the config has one. */
  readonly adminUrl: string | undefined;
  close(): Promise<void>;
}

/** A gateway on a free port with `config`, closed by `close()`. */
export async function startGateway(config: GatewayConfig): Promise<Running> {
  const gateway = createGateway(config, { env: {} });
  const { url, admin } = await gateway.listen();
  return { gateway, url, adminUrl: admin?.url, close: () => gateway.close({ graceMs: 1_000 }) };
}

/** `upstreams` for the config, from fake upstreams by name, with a breaker that stays closed in short tests. */
export function upstreamsOf(
  fakes: Readonly<Record<string, FakeUpstream>>,
  breaker: { threshold: number; openMs: number } = { threshold: 50, openMs: 60_000 },
): GatewayConfig['upstreams'] {
  return Object.fromEntries(
    Object.entries(fakes).map(([name, fake]) => [
      name,
      {
        url: fake.url,
        headers: { authorization: `Bearer key-of-${name}` },
        circuitBreaker: {
          trip: { kind: 'consecutive', threshold: breaker.threshold },
          openMs: breaker.openMs,
        },
      },
    ]),
  );
}

/** Requests each fake received, by name. */
export const countsOf = (fakes: Readonly<Record<string, FakeUpstream>>): Record<string, number> =>
  Object.fromEntries(Object.entries(fakes).map(([name, fake]) => [name, fake.received.length]));
