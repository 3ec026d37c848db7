import type { ConfigProblem } from '../../core/errors/index.js';

/** `${NAME}`: an environment variable, as in a shell or a compose file. */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/**
 * What a reference becomes before YAML sees the text: `${X}` holds flow indicators (`{`, `}`)
 * that would break `{ token: ${X} }`, so it is swapped for a plain token and restored in the
 * parsed values, where no value can change the document's structure.
 */
const PLACEHOLDER = /__breakwater_env__([A-Za-z_][A-Za-z0-9_]*)__/g;

export function hideReferences(text: string): string {
  return text.replace(REFERENCE, (_, name: string) => `__breakwater_env__${name}__`);
}

/**
 * Replaces every `${NAME}` (or its placeholder) in the strings of `value` by the variable's
 * value; each variable that is not set is a problem at the path where it is used.
 */
export function substituteEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { readonly value: unknown; readonly problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const visit = (node: unknown, path: readonly string[]): unknown => {
    if (typeof node === 'string') return substituteString(node, path, env, problems);
    if (Array.isArray(node))
      return node.map((item, index) => visit(item, [...path, String(index)]));
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = visit(child, [...path, key]);
      return out;
    }
    return node;
  };
  return { value: visit(value, []), problems };
}

function substituteString(
  text: string,
  path: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  problems: ConfigProblem[],
): string {
  const replace = (_: string, name: string): string => {
    const found = env[name];
    if (found !== undefined) return found;
    problems.push({
      path: path.join('.'),
      value: `\${${name}}`,
      expected: `the environment variable ${name} to be set`,
      message: `\${${name}} is not set in the environment`,
    });
    return '';
  };
  return text.replace(PLACEHOLDER, replace).replace(REFERENCE, replace);
}
