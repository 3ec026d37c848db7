/** A non-2xx answer from a provider, with what classification reads: `status` and `headers`. */
export class ProviderHttpError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    provider: string,
  ) {
    super(`${provider} answered HTTP ${status}`);
    this.name = 'ProviderHttpError';
  }
}

/** Asks a provider for a completion over HTTP; aborts with `signal`. */
export async function complete(
  baseUrl: string,
  prompt: string,
  signal: AbortSignal,
): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/complete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
    signal,
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new ProviderHttpError(response.status, response.headers, baseUrl);
  }
  const body = (await response.json()) as { text?: unknown };
  if (typeof body.text !== 'string') throw new Error(`${baseUrl} answered without text`);
  return body.text;
}
