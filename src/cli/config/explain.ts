import { isConfigError } from '../../core/errors/index.js';
import { explainConfig } from '../../node/config/explain.js';
import { loadConfig } from '../../node/config/load.js';
import { parseCommandArgs } from '../args.js';
import { formatProblems, showValue } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type CommandIo } from './io.js';

export const explainUsage = `breakwater config explain [file] [--json]
  Loads the configuration as a service would (defaults < preset < file < env vars) and
  prints the effective settings of every operation it names, and of "*" (any other
  operation), each with the source it came from.`;

/** `breakwater config explain [file]`. */
export function runExplain(args: readonly string[], io: CommandIo): number {
  const parsed = parseCommandArgs(args, { flags: ['json'] });
  if (typeof parsed === 'string' || parsed.positionals.length > 1) {
    io.stderr(
      `breakwater config explain: ${typeof parsed === 'string' ? parsed : 'expects at most one file'}\n\n${explainUsage}\n`,
    );
    return EXIT_USAGE;
  }
  const file = parsed.positionals[0];
  let loaded;
  try {
    loaded = loadConfig({ env: io.env, ...(file === undefined ? {} : { file }) });
  } catch (error) {
    if (!isConfigError(error)) throw error;
    io.stdout(
      `✗ the configuration does not load: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}\n${formatProblems(error.problems)}\n`,
    );
    return EXIT_PROBLEMS;
  }
  const operations = explainConfig(loaded);
  if (parsed.flags.has('json')) {
    const { environment, preset, warnings } = loaded;
    io.stdout(`${JSON.stringify({ environment, preset, operations, warnings }, null, 2)}\n`);
    return EXIT_OK;
  }
  const { environment } = loaded;
  const lines = [
    `environment: ${environment.environment} (confidence ${environment.confidence})`,
    ...environment.reasoning.map((r) => `  - ${r}`),
    `preset: ${loaded.preset}`,
  ];
  for (const op of operations) {
    lines.push('', op.operation === '*' ? '* (any other operation)' : op.operation);
    const width = Math.max(...op.settings.map((s) => s.path.length));
    const valueWidth = Math.max(...op.settings.map((s) => showValue(s.value).length));
    for (const s of op.settings) {
      lines.push(
        `  ${s.path.padEnd(width)}  ${showValue(s.value).padEnd(valueWidth)}  ← ${s.source}`,
      );
    }
  }
  if (loaded.warnings.length > 0) lines.push('', 'warnings:', formatProblems(loaded.warnings, '!'));
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT_OK;
}
