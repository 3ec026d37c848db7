import { ConfigError, type ConfigProblem } from '../../core/errors/index.js';
import type { ResilienceConfig } from '../../core/orchestrator/config.js';
import { Resilience } from '../../core/orchestrator/resilience.js';

/** The name an operation with no entry of its own is built under, to try `defaults` alone. */
const DEFAULTS_PROBE = '\u0000defaults';

const asProblems = (error: unknown, path: string, value: unknown): ConfigProblem[] =>
  error instanceof ConfigError
    ? [...error.problems]
    : [
        {
          path,
          value,
          expected: 'options the policies accept',
          message: error instanceof Error ? error.message : String(error),
        },
      ];

/**
 * What the orchestrator itself refuses in a configuration that passed the schema: each
 * operation (and `defaults`, for operations without an entry) is built exactly as `wrap`
 * would build it, so that whatever validates also constructs — one set of rules. Finds a
 * strategy's cap under a delay (`initialMs` above the strategy's `maxMs`), a timeout past
 * the timer limit, a window too short for the breaker.
 */
export function constructionProblems(config: ResilienceConfig): ConfigProblem[] {
  let resilience: Resilience;
  try {
    resilience = new Resilience({ config });
  } catch (error) {
    return asProblems(error, '', config);
  }
  const problems: ConfigProblem[] = [];
  const names = [DEFAULTS_PROBE, ...Object.keys(config.operations)];
  for (const name of names) {
    try {
      resilience.wrap(name, () => undefined);
    } catch (error) {
      const path = name === DEFAULTS_PROBE ? 'defaults' : `operations.${name}`;
      for (const found of asProblems(error, path, config)) {
        problems.push({
          ...found,
          path: found.path.replace(`operations.${DEFAULTS_PROBE}`, 'defaults'),
        });
      }
    }
  }
  for (const name of names) resilience.breaker(name)?.dispose();
  return problems;
}
