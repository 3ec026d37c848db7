/**
 * breakwater/prometheus, or undefined when its peer prom-client (optional) is not installed.
 * Only a missing prom-client counts as absent: any other failure to load is thrown.
 */
export async function loadPrometheus(): Promise<
  typeof import('../prometheus/index.js') | undefined
> {
  try {
    return await import('../prometheus/index.js');
  } catch (error) {
    const missing =
      (error as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND' &&
      String((error as Error).message).includes('prom-client');
    if (missing) return undefined;
    throw error;
  }
}
