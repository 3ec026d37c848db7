import { readFileSync } from 'node:fs';
import { dump } from 'js-yaml';
import { parseDotenv } from '../../node/config/dotenv.js';
import { migrateLegacyConfig } from '../../node/config/migrate.js';
import { parseCommandArgs } from '../args.js';
import { formatProblems, showValue } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type CommandIo } from './io.js';

export const migrateUsage = `breakwater config migrate [--env-file <file>] [--json]
  Turns legacy variables (CIRCUIT_BREAKER_*, API_RETRY_*, RETRY_*, *_RESILIENCE_STRATEGY)
  from the environment, or from a .env file, into a preset plus overrides. Prints the new
  configuration (YAML) and the report: confidence, what mapped where, warnings, unmapped
  variables and the validation of the result. Exit code 0 when the result is valid, 1 when
  it is not or nothing could be migrated.`;

/** `breakwater config migrate`. */
export function runMigrate(args: readonly string[], io: CommandIo): number {
  const parsed = parseCommandArgs(args, { flags: ['json'], options: ['env-file'] });
  if (typeof parsed === 'string' || parsed.positionals.length > 0) {
    io.stderr(
      `breakwater config migrate: ${typeof parsed === 'string' ? parsed : 'takes no file argument (use --env-file)'}\n\n${migrateUsage}\n`,
    );
    return EXIT_USAGE;
  }
  let env = io.env;
  const envFile = parsed.options.get('env-file');
  if (envFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(envFile, 'utf8');
    } catch (error) {
      io.stderr(`breakwater config migrate: cannot read ${envFile}: ${(error as Error).message}\n`);
      return EXIT_PROBLEMS;
    }
    const dotenv = parseDotenv(text);
    if (dotenv.invalid.length > 0) {
      io.stderr(
        `breakwater config migrate: ${envFile}: lines ${dotenv.invalid.join(', ')} are not NAME=value; skipped\n`,
      );
    }
    env = dotenv.env;
  }
  const result = migrateLegacyConfig(env);
  const ok = result.validation.valid && result.mapped.length > 0;
  if (parsed.flags.has('json')) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return ok ? EXIT_OK : EXIT_PROBLEMS;
  }
  const lines = [
    '# breakwater configuration migrated from legacy variables',
    dump(result.config).trimEnd(),
    '',
    `# preset:     ${result.preset}`,
    `# confidence: ${result.confidence}`,
  ];
  if (result.mapped.length > 0) {
    lines.push('# mapped:');
    for (const m of result.mapped)
      lines.push(`#   ${m.variable}=${m.value} → ${m.path} = ${showValue(m.to)}`);
  }
  if (result.warnings.length > 0) {
    lines.push('# warnings:', ...result.warnings.map((w) => `#   - ${w}`));
  }
  if (result.unmapped.length > 0) lines.push(`# unmapped:   ${result.unmapped.join(', ')}`);
  if (result.validation.valid) {
    lines.push('# validation: valid');
  } else {
    lines.push(
      '# validation: invalid',
      ...formatProblems(result.validation.problems)
        .split('\n')
        .map((l) => `#   ${l}`),
    );
  }
  io.stdout(`${lines.join('\n')}\n`);
  return ok ? EXIT_OK : EXIT_PROBLEMS;
}
