/** Splits `args` into positionals and `--flag` / `--option value` pairs; unknown ones are errors. */
export function parseArgs(
  args: readonly string[],
  spec: { readonly flags?: readonly string[]; readonly options?: readonly string[] },
): { positionals: string[]; flags: Set<string>; options: Map<string, string> } | string {
  const positionals: string[] = [];
  const flags = new Set<string>();
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (spec.flags?.includes(name) && inline === undefined) {
      flags.add(name);
    } else if (spec.options?.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) return `--${name} needs a value`;
      options.set(name, value);
    } else {
      return `unknown option ${arg}`;
    }
  }
  return { positionals, flags, options };
}
