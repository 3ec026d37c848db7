/**
 * Reads a `.env` file's text: `NAME=value` lines, `export NAME=value`, `#` comments,
 * values in single quotes (literal) or double quotes (`\n` escapes), trailing comments
 * after unquoted values. Lines that are none of these are returned as `invalid`.
 */
export function parseDotenv(text: string): { env: Record<string, string>; invalid: number[] } {
  const env: Record<string, string> = {};
  const invalid: number[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (match === null) {
      invalid.push(index + 1);
      return;
    }
    const [, name = '', rest = ''] = match;
    env[name] = unquote(rest);
  });
  return { env, invalid };
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.lastIndexOf(quote) > 0) {
    const inner = value.slice(1, value.lastIndexOf(quote));
    return quote === '"' ? inner.replace(/\\n/g, '\n').replace(/\\"/g, '"') : inner;
  }
  const comment = value.search(/\s#/);
  return (comment === -1 ? value : value.slice(0, comment)).trim();
}
