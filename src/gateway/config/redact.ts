import type { ValidGatewayConfig } from './schema.js';

export const REDACTED = '[redacted]';

/**
 * A URL without its user name and password, nor the values of its query (where some APIs
 * take their key); an unparsable one is hidden entirely.
 */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return REDACTED;
  const parsed = new URL(url);
  const credentials = parsed.username !== '' || parsed.password !== '';
  if (!credentials && parsed.search === '') return url;
  const query = [...parsed.searchParams.keys()].map(
    (name) => `${encodeURIComponent(name)}=${REDACTED}`,
  );
  const search = query.length === 0 ? '' : `?${query.join('&')}`;
  const user = credentials ? `${REDACTED}@` : '';
  return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}${search}`;
}

/**
 * The configuration safe to show (admin `/config`, logs): header values (API keys), the admin
 * token and credentials in URLs replaced.
 */
export function redactGatewayConfig(config: ValidGatewayConfig): unknown {
  const upstreams = Object.fromEntries(
    Object.entries(config.upstreams).map(([name, upstream]) => [
      name,
      {
        ...upstream,
        url: redactUrl(upstream.url),
        ...(upstream.headers === undefined
          ? {}
          : {
              headers: Object.fromEntries(
                Object.keys(upstream.headers).map((header) => [header, REDACTED]),
              ),
            }),
      },
    ]),
  );
  const store =
    config.store !== undefined && 'redis' in config.store
      ? { redis: { ...config.store.redis, url: redactUrl(config.store.redis.url) } }
      : config.store;
  return {
    ...config,
    ...(config.admin === undefined
      ? {}
      : {
          admin: {
            ...config.admin,
            ...(config.admin.token === undefined ? {} : { token: REDACTED }),
          },
        }),
    ...(store === undefined ? {} : { store }),
    upstreams,
  };
}
