export interface DemoArgs {
  readonly fast: boolean;
  readonly json: boolean;
}

/** Parses `demo [--fast] [--json]`; anything else is a usage error. */
export function parseDemoArgs(args: readonly string[]): DemoArgs | string {
  let fast = false;
  let json = false;
  for (const arg of args) {
    if (arg === '--fast') fast = true;
    else if (arg === '--json') json = true;
    else return `unknown option for demo: ${arg}`;
  }
  return { fast, json };
}
