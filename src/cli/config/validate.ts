import { readFileSync } from 'node:fs';
import { isConfigError } from '../../core/errors/index.js';
import { isGatewayDocument, parseGatewayText, validateGatewayConfig } from '../../gateway/index.js';
import { environments, type Environment } from '../../node/config/environment.js';
import { readConfigFile } from '../../node/config/file.js';
import { validateConfig } from '../../node/config/validate.js';
import { parseCommandArgs } from '../args.js';
import { formatProblems } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type CommandIo } from './io.js';

export const validateUsage = `breakwater config validate <file> [--env <environment>] [--json]
  Checks a JSON or YAML configuration file: its shape, its values and the security rules.
  A gateway file (one with listen/upstreams/routes) is checked as one, \${VAR} included.
  --env production applies the production rules (also applied when the file's preset is
  production). Exit code 0 when valid, 1 with every problem listed.`;

/** `breakwater config validate <file>`. */
export function runValidate(args: readonly string[], io: CommandIo): number {
  const parsed = parseCommandArgs(args, { flags: ['json'], options: ['env'] });
  if (typeof parsed === 'string' || parsed.positionals.length !== 1) {
    io.stderr(
      `breakwater config validate: ${typeof parsed === 'string' ? parsed : 'expects one file'}\n\n${validateUsage}\n`,
    );
    return EXIT_USAGE;
  }
  const file = parsed.positionals[0] ?? '';
  const environment = parsed.options.get('env');
  if (environment !== undefined && !(environments as readonly string[]).includes(environment)) {
    io.stderr(
      `breakwater config validate: --env must be one of ${environments.join(', ')}, got ${environment}\n`,
    );
    return EXIT_USAGE;
  }
  const gateway = gatewayDocument(file);
  if (gateway !== undefined) {
    const result = validateGatewayConfig(gateway, io.env);
    return report(io, parsed.flags.has('json'), file, result.problems, []);
  }
  let input: unknown;
  try {
    input = readConfigFile(file);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    return report(io, parsed.flags.has('json'), file, error.problems, []);
  }
  const result = validateConfig(
    input,
    environment === undefined ? {} : { environment: environment as Environment },
  );
  return report(io, parsed.flags.has('json'), file, result.problems, result.warnings);
}

/** The parsed file when it is a gateway configuration; undefined for anything else. */
function gatewayDocument(file: string): unknown {
  try {
    const input = parseGatewayText(readFileSync(file, 'utf8'), file);
    return isGatewayDocument(input) ? input : undefined;
  } catch {
    // Not readable or not parsable: the orchestrator path reports why.
    return undefined;
  }
}

function report(
  io: CommandIo,
  json: boolean,
  file: string,
  problems: Parameters<typeof formatProblems>[0],
  warnings: Parameters<typeof formatProblems>[0],
): number {
  const valid = problems.length === 0;
  if (json) {
    io.stdout(`${JSON.stringify({ file, valid, problems, warnings }, null, 2)}\n`);
  } else {
    const lines = [
      valid
        ? `✓ ${file} is valid`
        : `✗ ${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
    ];
    if (!valid) lines.push(formatProblems(problems));
    if (warnings.length > 0) {
      lines.push(
        `${warnings.length} warning${warnings.length === 1 ? '' : 's'}:`,
        formatProblems(warnings, '!'),
      );
    }
    io.stdout(`${lines.join('\n')}\n`);
  }
  return valid ? EXIT_OK : EXIT_PROBLEMS;
}
