import { parseArgs } from 'node:util';

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: ReadonlySet<string>;
  readonly options: ReadonlyMap<string, string>;
}

/**
 * Splits `args` into positionals, `--flag`s and `--option value` pairs with `node:util`'s
 * `parseArgs` (strict: an unknown option, or a flag given a value, is an error). Returns the
 * usage error as a string, so each command prints it next to its own usage text.
 */
export function parseCommandArgs(
  args: readonly string[],
  spec: { readonly flags?: readonly string[]; readonly options?: readonly string[] },
): ParsedArgs | string {
  const options: Record<string, { type: 'boolean' | 'string' }> = {};
  for (const name of spec.flags ?? []) options[name] = { type: 'boolean' };
  for (const name of spec.options ?? []) options[name] = { type: 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    // Node's messages go on to suggest `--` for positionals that start with a dash; the
    // first sentence is the one a user needs.
    return (error as Error).message.split('. ')[0] ?? String(error);
  }
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === true) flags.add(name);
    else if (typeof value === 'string') values.set(name, value);
  }
  return { positionals: parsed.positionals, flags, options: values };
}

export interface DemoArgs {
  readonly fast: boolean;
  readonly json: boolean;
}

/** Parses `demo [--fast] [--json]`; anything else is a usage error. */
export function parseDemoArgs(args: readonly string[]): DemoArgs | string {
  const parsed = parseCommandArgs(args, { flags: ['fast', 'json'] });
  if (typeof parsed === 'string') return parsed;
  if (parsed.positionals.length > 0) return `demo takes no arguments, got ${parsed.positionals[0]}`;
  return { fast: parsed.flags.has('fast'), json: parsed.flags.has('json') };
}
