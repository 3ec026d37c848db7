import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { loadAll, YAMLException, type LoadOptions } from 'js-yaml';
import { ConfigError } from '../../core/errors/index.js';
import { DOCUMENT_LIMITS, documentProblems } from '../../core/orchestrator/document-limits.js';

/** A configuration file is a few kilobytes of text; anything near this is a mistake or an attack. */
export const MAX_CONFIG_CHARS = 1024 * 1024;
/** Anchors are fine for sharing a block; hundreds of `*alias` references are a YAML bomb. */
export const MAX_YAML_ALIASES = 100;
/** What a file may expand to once its aliases are followed (a 50-operation file is ~2 000). */
export const MAX_YAML_EXPANDED_NODES = 100_000;
const MAX_YAML_DEPTH = 32;

/** js-yaml 4.3 reads these limits; @types/js-yaml predates them. */
interface BoundedLoadOptions extends LoadOptions {
  readonly maxDepth: number;
}

const fileProblem = (file: string, message: string, expected: string, value: unknown = file) =>
  new ConfigError([{ path: '', value, expected, message: `${file}: ${message}` }]);

/** Parses YAML with `js-yaml` (its default schema: no code-running tags), bounded in depth. */
function parseYaml(text: string, file: string): unknown {
  const options: BoundedLoadOptions = { filename: file, maxDepth: MAX_YAML_DEPTH };
  const documents = loadAll(text, undefined, options);
  if (documents.length > 1) {
    throw fileProblem(file, `holds ${documents.length} YAML documents`, 'one YAML document');
  }
  refuseAliasBombs(documents[0], file);
  return documents[0];
}

/**
 * js-yaml hands an alias back as the very object its anchor built, so a "billion laughs"
 * file parses small and explodes only in whoever walks it. Refused: more than
 * MAX_YAML_ALIASES references to an already-seen mapping or list, or a document that would
 * expand to more than MAX_YAML_EXPANDED_NODES values. Each object's expanded size is
 * computed once, so the check stays linear in the file's size.
 */
function refuseAliasBombs(document: unknown, file: string): void {
  const sizes = new Map<object, number>();
  let aliases = 0;
  const expandedSize = (node: unknown): number => {
    if (typeof node !== 'object' || node === null) return 1;
    const known = sizes.get(node);
    if (known !== undefined) {
      aliases += 1;
      if (aliases > MAX_YAML_ALIASES) {
        throw fileProblem(
          file,
          `uses more than ${MAX_YAML_ALIASES} YAML aliases`,
          `at most ${MAX_YAML_ALIASES} aliases`,
        );
      }
      return known;
    }
    let size = 1;
    for (const child of Object.values(node)) size += expandedSize(child);
    if (size > MAX_YAML_EXPANDED_NODES) {
      throw fileProblem(
        file,
        `expands to more than ${MAX_YAML_EXPANDED_NODES} values through YAML aliases`,
        `at most ${MAX_YAML_EXPANDED_NODES} values`,
      );
    }
    sizes.set(node, size);
    return size;
  };
  expandedSize(document);
}

/**
 * Parses a configuration document: JSON for `.json`, YAML (a superset of JSON) otherwise.
 * The text, then the parsed document, are held to the document limits (size, depth, reserved
 * keys) before anything else walks them.
 */
export function parseConfigText(text: string, file: string): unknown {
  const document = parseDocument(text, file);
  const problems = documentProblems(document);
  if (problems.length > 0) {
    throw new ConfigError(problems.map((p) => ({ ...p, message: `${file}: ${p.message}` })));
  }
  return document;
}

function parseDocument(text: string, file: string): unknown {
  if (text.length > MAX_CONFIG_CHARS) {
    throw fileProblem(
      file,
      `is ${text.length} characters, more than ${MAX_CONFIG_CHARS}`,
      `at most ${MAX_CONFIG_CHARS} characters`,
    );
  }
  try {
    const value: unknown =
      extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text, file);
    return value ?? {};
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw fileProblem(
        file,
        `nested too deeply to parse (at most ${DOCUMENT_LIMITS.maxDepth} levels)`,
        `at most ${DOCUMENT_LIMITS.maxDepth} levels of nesting`,
      );
    }
    if (error instanceof YAMLException && /maxDepth/.test(error.reason)) {
      throw fileProblem(
        file,
        `nested too deeply to parse (at most ${MAX_YAML_DEPTH} levels)${where(error)}`,
        `at most ${MAX_YAML_DEPTH} levels of nesting`,
      );
    }
    if (error instanceof YAMLException) {
      throw fileProblem(file, `not valid YAML: ${error.reason}${where(error)}`, 'a YAML document');
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw fileProblem(file, `not valid JSON: ${reason}`, 'a JSON document');
  }
}

/** ` at line L, column C` from a js-yaml error's mark (0-based there). */
function where(error: YAMLException): string {
  const { mark } = error;
  return ` at line ${mark.line + 1}, column ${mark.column + 1}`;
}

/** Reads and parses a configuration file; any failure is a `ConfigError` saying why. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : `cannot be read (${code ?? String(error)})`;
    throw fileProblem(file, why, 'a readable JSON or YAML file');
  }
  return parseConfigText(text, file);
}
