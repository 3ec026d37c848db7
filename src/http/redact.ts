/** Keys whose values are secrets, whatever their spelling (`apiKey`, `API_KEY`, `x-api-key`, …). */
const SECRET_KEY =
  /token|secret|passw(or)?d|api[-_]?key|authori[sz]ation|credential|cookie|private[-_]?key/i;
/** `scheme://user:password@host`: the credentials part of a URL. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi;

export const REDACTED = '[redacted]';

/**
 * A deep copy of `value` with secrets replaced: strings under secret-looking keys, and the
 * credentials inside URLs anywhere.
 */
export function redact(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  const copy = Object.create(null) as Record<string, unknown>;
  for (const [key, inner] of Object.entries(value)) {
    // Only text is a secret: `maxTokens: 4096` says nothing about any token.
    copy[key] = SECRET_KEY.test(key) && typeof inner === 'string' ? REDACTED : redact(inner);
  }
  return copy;
}
