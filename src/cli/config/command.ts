import { runExplain, explainUsage } from './explain.js';
import { EXIT_OK, EXIT_USAGE, type CommandIo } from './io.js';
import { migrateUsage, runMigrate } from './migrate.js';
import { runValidate, validateUsage } from './validate.js';

export type { CommandIo } from './io.js';

const usage = `usage: breakwater config <validate|migrate|explain> …

${validateUsage}

${migrateUsage}

${explainUsage}
`;

const usages: Readonly<Record<string, string>> = {
  validate: validateUsage,
  migrate: migrateUsage,
  explain: explainUsage,
};

/**
 * `breakwater config …`: the single entry of the configuration commands. Returns the exit
 * code: 0 success, 1 the configuration has problems, 2 the command was misused.
 */
export function runConfigCommand(argv: readonly string[], io: CommandIo): number {
  const [sub, ...rest] = argv;
  const ownUsage = usages[sub ?? ''];
  if (ownUsage !== undefined && rest.some((arg) => arg === '--help' || arg === '-h')) {
    io.stdout(`${ownUsage}\n`);
    return EXIT_OK;
  }
  switch (sub) {
    case 'validate':
      return runValidate(rest, io);
    case 'migrate':
      return runMigrate(rest, io);
    case 'explain':
      return runExplain(rest, io);
    case 'help':
    case '--help':
    case '-h':
      io.stdout(usage);
      return EXIT_OK;
    default:
      io.stderr(
        `${sub === undefined ? '' : `breakwater config: unknown command ${JSON.stringify(sub)}\n\n`}${usage}`,
      );
      return EXIT_USAGE;
  }
}
