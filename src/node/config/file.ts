import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../../core/errors/index.js';
import { parseSimpleYaml } from './fast-yaml.js';
import { DOCUMENT_LIMITS, documentProblems } from '../../core/orchestrator/document-limits.js';

const fileProblem = (file: string, message: string, expected: string, value: unknown = file) =>
  new ConfigError([{ path: '', value, expected, message: `${file}: ${message}` }]);

/** The longest configuration text read, in characters (a megabyte of settings is no configuration). */
export const MAX_CONFIG_TEXT = 1_048_576;

/**
 * Parses a configuration document: JSON for `.json`, YAML (a superset of JSON) otherwise.
 * The text, then the parsed document, are held to the document limits (size, depth,
 * reserved keys) before anything else walks them.
 */
export function parseConfigText(text: string, file: string): unknown {
  if (text.length > MAX_CONFIG_TEXT) {
    throw fileProblem(
      file,
      `too large: ${text.length} characters, at most ${MAX_CONFIG_TEXT}`,
      `a document of at most ${MAX_CONFIG_TEXT} characters`,
      text.length,
    );
  }
  const document = parseDocument(text, file);
  const problems = documentProblems(document);
  if (problems.length > 0) {
    throw new ConfigError(problems.map((p) => ({ ...p, message: `${file}: ${p.message}` })));
  }
  return document;
}

function parseDocument(text: string, file: string): unknown {
  try {
    const value: unknown =
      extname(file).toLowerCase() === '.json'
        ? JSON.parse(text)
        : (parseSimpleYaml(text) ??
          parseYaml(text, { maxAliasCount: 100, uniqueKeys: true, logLevel: 'error' }));
    return value ?? {};
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw fileProblem(
        file,
        `nested too deeply to parse (at most ${DOCUMENT_LIMITS.maxDepth} levels)`,
        `at most ${DOCUMENT_LIMITS.maxDepth} levels of nesting`,
      );
    }
    if (error instanceof YAMLParseError) {
      const first = (error.message.split('\n')[0] ?? '').replace(/:$/, '');
      throw fileProblem(file, `not valid YAML: ${first}`, 'a YAML document');
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw fileProblem(file, `not valid JSON: ${reason}`, 'a JSON document');
  }
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
