/**
 * A fast path for the YAML that configuration files are made of: block mappings, flow
 * mappings and sequences on one line, plain and quoted scalars, comments. `yaml`'s full
 * parser costs several milliseconds for a 50-operation file; this reads the same file in a
 * fraction of that. Anything outside that subset — anchors, tags, block scalars, block
 * sequences, multi-line flows, duplicate keys, directives, unusual scalars — returns
 * `undefined` and the caller uses the full parser, so the result is always what `yaml`
 * would give (a property test holds the two to that).
 */

const BAIL = Symbol('bail');
type Bail = typeof BAIL;

class Bailed extends Error {}
const bail = (): never => {
  throw new Bailed();
};

/** Keys that YAML reads as the same string (no number, boolean or null among them). */
const plainKey = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const plainString = /^[A-Za-z_][A-Za-z0-9_./@-]*$/;
const int = /^[-+]?[0-9]+$/;
const float = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const special: Readonly<Record<string, unknown>> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
  null: null,
  Null: null,
  NULL: null,
  '~': null,
  '.inf': Infinity,
  '.Inf': Infinity,
  '.INF': Infinity,
  '+.inf': Infinity,
  '+.Inf': Infinity,
  '+.INF': Infinity,
  '-.inf': -Infinity,
  '-.Inf': -Infinity,
  '-.INF': -Infinity,
  '.nan': NaN,
  '.NaN': NaN,
  '.NAN': NaN,
};

/** A plain scalar's value under YAML 1.2's core schema, for the forms this path accepts. */
function plain(text: string): unknown {
  if (Object.hasOwn(special, text)) return special[text];
  if (int.test(text) || float.test(text)) return Number(text);
  if (plainString.test(text)) return text;
  return bail();
}

/** Reads a quoted scalar starting at `at`; returns the value and the index after it. */
function quoted(line: string, at: number): [string, number] {
  const quote = line[at];
  let out = '';
  for (let i = at + 1; i < line.length; i++) {
    const c = line[i];
    if (quote === "'" && c === "'") {
      if (line[i + 1] === "'") {
        out += "'";
        i++;
        continue;
      }
      return [out, i + 1];
    }
    if (quote === '"' && c === '\\') {
      const next = line[++i];
      if (next === '"' || next === '\\') out += next;
      else if (next === 'n') out += '\n';
      else if (next === 't') out += '\t';
      else bail();
      continue;
    }
    if (quote === '"' && c === '"') return [out, i + 1];
    out += c;
  }
  return bail();
}

/** The rest of a line after a value: only spaces and an optional comment. */
function expectEnd(line: string, at: number): void {
  const rest = line.slice(at);
  if (rest.trim() !== '' && !/^\s+#/.test(rest)) bail();
}

/** A flow collection on one line (`{ a: 1, b: [2, 3] }`), from `at`. */
function flow(line: string, at: number): [unknown, number] {
  const open = line[at];
  const close = open === '{' ? '}' : ']';
  const map: Record<string, unknown> = {};
  const list: unknown[] = [];
  let i = at + 1;
  const skip = (): void => {
    while (line[i] === ' ') i++;
  };
  skip();
  if (line[i] === close) return [open === '{' ? map : list, i + 1];
  for (;;) {
    skip();
    let key: string | undefined;
    if (open === '{') {
      const match = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(line.slice(i));
      if (match === null || line[i + match[0].length] !== ':') bail();
      key = match?.[0] ?? '';
      if (Object.hasOwn(special, key)) bail();
      i += key.length + 1;
      if (line[i] !== ' ') bail();
      skip();
      if (Object.hasOwn(map, key) || key === '__proto__') bail();
    }
    let value: unknown;
    if (line[i] === '{' || line[i] === '[') [value, i] = flow(line, i);
    else if (line[i] === '"' || line[i] === "'") [value, i] = quoted(line, i);
    else {
      const match = /^[^,{}[\]]*/.exec(line.slice(i));
      const text = (match?.[0] ?? '').trim();
      if (text === '') bail();
      value = plain(text);
      i += match?.[0].length ?? 0;
    }
    if (key === undefined) list.push(value);
    else map[key] = value;
    skip();
    if (line[i] === ',') {
      i++;
      continue;
    }
    if (line[i] === close) return [open === '{' ? map : list, i + 1];
    return bail();
  }
}

/** A value after `key:` on the same line. */
function inline(line: string, at: number): unknown {
  const c = line[at];
  if (c === '{' || c === '[') {
    const [value, end] = flow(line, at);
    expectEnd(line, end);
    return value;
  }
  if (c === '"' || c === "'") {
    const [value, end] = quoted(line, at);
    expectEnd(line, end);
    return value;
  }
  const hash = line.indexOf(' #', at);
  return plain((hash === -1 ? line.slice(at) : line.slice(at, hash)).trim());
}

interface Line {
  readonly indent: number;
  readonly text: string;
}

function lines(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (line.includes('\t')) bail();
    out.push({ indent: line.length - trimmed.length, text: trimmed });
  }
  return out;
}

/** A block mapping whose keys sit at exactly `indent`, from line `from`. */
function mapping(all: Line[], from: number, indent: number): [Record<string, unknown>, number] {
  const map: Record<string, unknown> = {};
  let i = from;
  while (i < all.length) {
    const line = all[i] as Line;
    if (line.indent < indent) break;
    if (line.indent > indent) bail();
    const { text } = line;
    let key: string;
    let at: number;
    if (text[0] === '"' || text[0] === "'") {
      [key, at] = quoted(text, 0);
    } else {
      const colon = text.indexOf(':');
      key = colon === -1 ? '' : text.slice(0, colon);
      at = colon;
      if (!plainKey.test(key) || Object.hasOwn(special, key)) bail();
    }
    if (text[at] !== ':' || (at + 1 < text.length && text[at + 1] !== ' ')) bail();
    if (Object.hasOwn(map, key) || key === '__proto__') bail();
    const rest = text.slice(at + 1).trim();
    i++;
    if (rest === '' || rest.startsWith('#')) {
      const next = all[i];
      if (next !== undefined && next.indent > indent) {
        [map[key], i] = mapping(all, i, next.indent);
      } else {
        map[key] = null;
      }
    } else {
      map[key] = inline(text, text.length - text.slice(at + 1).trimStart().length);
    }
  }
  return [map, i];
}

/**
 * Parses `text` if it lies within the subset, else returns `undefined` (the caller then
 * uses the full parser, which also reports errors properly).
 */
export function parseSimpleYaml(text: string): Record<string, unknown> | undefined {
  const result = attempt(text);
  return result === BAIL ? undefined : result;
}

function attempt(text: string): Record<string, unknown> | Bail {
  try {
    if (/^(---|\.\.\.|%)/m.test(text) || /[&*!|>?]/.test(text.replace(/#.*$/gm, ''))) return BAIL;
    const all = lines(text);
    const first = all[0];
    if (first === undefined || first.indent !== 0 || first.text.startsWith('- ')) return BAIL;
    const [map, end] = mapping(all, 0, 0);
    return end === all.length ? map : BAIL;
  } catch (error) {
    if (error instanceof Bailed) return BAIL;
    throw error;
  }
}
