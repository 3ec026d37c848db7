import type { RouteKind, TargetConfig } from '../config/schema.js';

/**
 * The body a target is sent: the client's bytes unchanged, unless the target rewrites the
 * model or continues a broken answer (the request plus an assistant message holding the
 * text already sent).
 */
export function bodyForTarget(
  kind: RouteKind,
  body: Buffer | undefined,
  json: Readonly<Record<string, unknown>> | undefined,
  target: TargetConfig,
  prefill: string | undefined,
): Buffer | undefined {
  if (kind === 'http' || json === undefined) return body;
  if (target.model === undefined && prefill === undefined) return body;
  const next: Record<string, unknown> = { ...json };
  if (target.model !== undefined) next['model'] = target.model;
  if (prefill !== undefined) {
    const messages = Array.isArray(json['messages']) ? (json['messages'] as unknown[]) : [];
    next['messages'] = [...messages, { role: 'assistant', content: prefill }];
  }
  return Buffer.from(JSON.stringify(next));
}
