import type { ValidGatewayConfig } from './schema.js';

export const REDACTED = '[redacted]';

/** A URL without its user name and password; an unparsable one is hidden entirely. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return REDACTED;
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return url;
  parsed.username = '';
  parsed.password = '';
  return `${parsed.protocol}//${REDACTED}@${parsed.host}${parsed.pathname}${parsed.search}`;
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
