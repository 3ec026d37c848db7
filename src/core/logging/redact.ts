/** What a secret is replaced with in a record. */
export const REDACTED = '[redacted]';

/** Keys whose values are secrets wherever they appear (headers, config, query strings). */
const SECRET_KEY =
  /^(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|access[-_]?token|refresh[-_]?token|id[-_]?token|token|secret|client[-_]?secret|password|passwd|credentials?|private[-_]?key|session)$/i;

/** Text patterns that carry secrets, each replaced keeping what shows where the secret was. */
const SECRET_TEXT: readonly [RegExp, string][] = [
  // user:password@ in any URL.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi, `$1${REDACTED}@`],
  // Authorization headers and bearer/basic credentials, however they are quoted.
  [
    /\b(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)(?:(bearer|basic|token)\s+)?[^\s"',;}]+/gi,
    `$1$2$3 ${REDACTED}`,
  ],
  [/\b(bearer|basic)\s+[a-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // key=value and "key": "value" for secret-looking keys (query strings, JSON, headers).
  [
    /\b(x-api-key|api[-_]?key|apikey|access[-_]?token|refresh[-_]?token|token|secret|client[-_]?secret|password|passwd)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
    `$1$2${REDACTED}`,
  ],
  // Provider key formats: OpenAI/Anthropic sk-…, GitHub, Slack, AWS access key ids, Google.
  [/\bsk-[a-z0-9_-]{12,}/gi, REDACTED],
  [/\b(?:ghp|gho|ghs|ghu|github_pat)_[a-z0-9_]{16,}/gi, REDACTED],
  [/\bxox[abprs]-[a-z0-9-]{10,}/gi, REDACTED],
  [/\bAKIA[0-9A-Z]{16}\b/g, REDACTED],
  [/\bAIza[0-9a-z_-]{30,}/gi, REDACTED],
];

const MAX_TEXT = 500;

/** `text` with every secret it visibly carries replaced, and cut to a bounded length. */
export function redactText(text: string): string {
  let redacted = text;
  for (const [pattern, replacement] of SECRET_TEXT)
    redacted = redacted.replace(pattern, replacement);
  return redacted.length > MAX_TEXT ? `${redacted.slice(0, MAX_TEXT)}…` : redacted;
}

/** Whether a key (a header name, a config field, the last segment of a path) names a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A value made safe for a record: secret keys' values replaced, strings redacted, depth and
 * size bounded (a record describes; it never carries a whole payload).
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= 4) return Array.isArray(value) ? '[array]' : '[object]';
  if (Array.isArray(value)) return value.slice(0, 20).map((item) => redactValue(item, depth + 1));
  const safe: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value).slice(0, 50)) {
    safe[key] = isSecretKey(key) ? REDACTED : redactValue(inner, depth + 1);
  }
  return safe;
}
