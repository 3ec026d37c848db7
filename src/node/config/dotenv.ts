import { parseEnv } from 'node:util';

/** `NAME=…` or `export NAME=…`: what a line must start with to be a variable. */
const assignment = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*=/;

/**
 * Reads a `.env` file's text with Node's own parser (`util.parseEnv`: quotes, `\n` escapes in
 * double quotes, trailing comments, `export`). Each line is handed over on its own, because
 * Node 20's parser folds a malformed line into the next variable's name; lines that are not
 * `NAME=value`, a comment or blank are returned as `invalid` instead.
 */
export function parseDotenv(text: string): { env: Record<string, string>; invalid: number[] } {
  const env: Record<string, string> = {};
  const invalid: number[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!assignment.test(line)) {
      invalid.push(index + 1);
      return;
    }
    Object.assign(env, parseEnv(line));
  });
  return { env, invalid };
}
