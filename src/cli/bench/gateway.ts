import { createGateway, loadGatewayFile, silentLogger } from '../../gateway/index.js';
import type { BenchGateway } from './command.js';

/**
 * The gateway of `bench --through`: started in this process from the config file, on the
 * address that file gives (port 0 picks a free one). The benched URL's path and query are sent
 * to it, so the config's routes decide where they go, as they would in production.
 */
export async function startBenchGateway(
  configFile: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<BenchGateway> {
  const gateway = createGateway(loadGatewayFile(configFile, env), { env, logger: silentLogger });
  const address = await gateway.listen();
  return {
    url: (target) => new URL(`${target.pathname}${target.search}`, address.url),
    close: () => gateway.close({ graceMs: 1_000 }),
  };
}
