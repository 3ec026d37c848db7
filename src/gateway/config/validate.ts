import { ConfigError, type ConfigProblem } from '../../core/errors/index.js';
import { parseConfigText } from '../../node/config/file.js';
import { problemsFromIssues } from '../../node/config/problems.js';
import { closest } from '../../node/config/suggest.js';
import { hideReferences, substituteEnv } from './env.js';
import { gatewaySchema, type ValidGatewayConfig } from './schema.js';

export type Env = Readonly<Record<string, string | undefined>>;

export type GatewayValidation =
  | { readonly ok: true; readonly config: ValidGatewayConfig; readonly problems: readonly [] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/**
 * Checks a gateway configuration completely: `${VAR}` references, the shape, and what the
 * shape cannot say (targets naming known upstreams, unique route names, model matching only
 * where a body has a model). Every problem is reported at once.
 */
export function validateGatewayConfig(input: unknown, env: Env = {}): GatewayValidation {
  const substituted = substituteEnv(input, env);
  const parsed = gatewaySchema.safeParse(substituted.value);
  const problems = [...substituted.problems];
  if (!parsed.success) {
    // A missing variable already explains what is wrong at its path.
    const explained = new Set(substituted.problems.map((p) => p.path));
    const shape = problemsFromIssues(parsed.error.issues, substituted.value, gatewaySchema);
    problems.push(...shape.filter((p) => !explained.has(p.path)));
    return { ok: false, problems };
  }
  problems.push(...crossProblems(parsed.data));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: parsed.data, problems: [] };
}

/** `validateGatewayConfig`, throwing a `ConfigError` with every problem. */
export function assertGatewayConfig(input: unknown, env: Env = {}): ValidGatewayConfig {
  const result = validateGatewayConfig(input, env);
  if (!result.ok) throw new ConfigError(result.problems);
  return result.config;
}

/** Parses a gateway file's text (YAML or JSON by extension), keeping `${VAR}` references intact. */
export function parseGatewayText(text: string, file: string): unknown {
  return parseConfigText(hideReferences(text), file);
}

/** Whether a parsed file is a gateway configuration rather than an orchestrator one. */
export function isGatewayDocument(input: unknown): boolean {
  return (
    typeof input === 'object' &&
    input !== null &&
    ('routes' in input || 'upstreams' in input || 'listen' in input)
  );
}

function crossProblems(config: ValidGatewayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const upstreams = Object.keys(config.upstreams);
  const seen = new Set<string>();
  config.routes.forEach((route, index) => {
    const at = `routes.${index}`;
    if (seen.has(route.name)) {
      problems.push({
        path: `${at}.name`,
        value: route.name,
        expected: 'a route name used once',
        message: `route name "${route.name}" is used by an earlier route`,
      });
    }
    seen.add(route.name);
    const kind = route.kind ?? 'http';
    route.targets.forEach((target, t) => {
      if (upstreams.includes(target.upstream)) return;
      const suggestion = closest(target.upstream, upstreams);
      const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
      problems.push({
        path: `${at}.targets.${t}.upstream`,
        value: target.upstream,
        expected: `one of the upstreams: ${upstreams.join(', ')}`,
        message: `unknown upstream "${target.upstream}"${hint}`,
        ...(suggestion === undefined ? {} : { suggestion }),
      });
    });
    if (kind === 'http' && route.match.model !== undefined) {
      problems.push({
        path: `${at}.match.model`,
        value: route.match.model,
        expected: 'kind openai or anthropic (only their bodies name a model)',
        message: 'matching on model needs kind: openai or kind: anthropic',
      });
    }
    if (kind === 'http' && route.stream?.resume === 'prefill') {
      problems.push({
        path: `${at}.stream.resume`,
        value: 'prefill',
        expected: 'kind openai or anthropic',
        message: 'resume: prefill continues a chat answer, so it needs kind openai or anthropic',
      });
    }
    const timeout = route.timeout;
    if (
      timeout?.perTryMs !== undefined &&
      timeout.totalMs !== undefined &&
      timeout.perTryMs > timeout.totalMs
    ) {
      problems.push({
        path: `${at}.timeout.perTryMs`,
        value: timeout.perTryMs,
        expected: `≤ totalMs (${timeout.totalMs})`,
        message: 'a try cannot last longer than the whole request',
      });
    }
  });
  return problems;
}
