import type autocannonType from 'autocannon';

/** What one load run measured. */
export interface LoadFigures {
  readonly label: string;
  readonly url: string;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection errors and timeouts, plus answers that were not 2xx. */
  readonly errors: number;
  readonly non2xx: number;
  readonly durationS: number;
}

export interface LoadOptions {
  readonly label: string;
  readonly url: URL;
  readonly connections: number;
  readonly durationS: number;
  /** Called about once a second with the seconds elapsed and the requests answered so far. */
  readonly onTick?: (elapsedS: number, answered: number) => void;
}

/** autocannon is an optional peer: only `breakwater bench` needs it, so only it loads it. */
async function loadAutocannon(): Promise<typeof autocannonType> {
  try {
    return (await import('autocannon')).default;
  } catch (error) {
    throw new Error(
      'breakwater bench needs the autocannon package: npm install autocannon (or npx -p breakwater -p autocannon breakwater bench …)',
      { cause: error },
    );
  }
}

/** Loads one URL with autocannon and reduces its result to the figures `bench` reports. */
export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const autocannon = await loadAutocannon();
  return new Promise((resolve, reject) => {
    let answered = 0;
    const started = Date.now();
    const instance = autocannon(
      {
        url: options.url.href,
        connections: options.connections,
        duration: options.durationS,
      },
      (error, result) => {
        clearInterval(ticker);
        options.onTick?.(options.durationS, answered);
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        resolve({
          label: options.label,
          url: options.url.href,
          requests: result.requests.total,
          requestsPerSecond: result.requests.average,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          errors: result.errors + result.non2xx,
          non2xx: result.non2xx,
          durationS: result.duration,
        });
      },
    );
    instance.on('response', () => {
      answered += 1;
    });
    const ticker = setInterval(
      () => options.onTick?.((Date.now() - started) / 1000, answered),
      1000,
    );
  });
}
