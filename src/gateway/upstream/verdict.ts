import type { RouteKind } from '../config/schema.js';
import type { ErrorVerdict } from './errors.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const CONTEXT_CODES = new Set(['context_length_exceeded', 'string_above_max_length']);
const POLICY_CODES = new Set(['content_policy_violation', 'content_filter']);
const TOO_LONG = /prompt is too long|context (length|window)|too many tokens/i;

/**
 * Reads an openai/anthropic error body: OpenAI's `error.code` `context_length_exceeded`, or
 * Anthropic's `invalid_request_error` saying the prompt is too long → next target at once;
 * `content_policy_violation` / `content_filter` → back to the client at once.
 */
export function errorVerdict(kind: RouteKind, status: number, body: Buffer): ErrorVerdict {
  if (kind === 'http' || status < 400 || status >= 500) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const error = isRecord(parsed) ? parsed['error'] : undefined;
  if (!isRecord(error)) return undefined;
  const code = typeof error['code'] === 'string' ? error['code'] : undefined;
  const type = typeof error['type'] === 'string' ? error['type'] : undefined;
  const message = typeof error['message'] === 'string' ? error['message'] : '';
  if (
    (code !== undefined && POLICY_CODES.has(code)) ||
    (type !== undefined && POLICY_CODES.has(type))
  ) {
    return 'content-policy';
  }
  if (code !== undefined && CONTEXT_CODES.has(code)) return 'context-length';
  if (type === 'invalid_request_error' && TOO_LONG.test(message)) return 'context-length';
  return undefined;
}
