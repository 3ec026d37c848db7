import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../../core/errors/index.js';
import { parseSimpleYaml } from './fast-yaml.js';

const fileProblem = (file: string, message: string, expected: string, value: unknown = file) =>
  new ConfigError([{ path: '', value, expected, message: `${file}: ${message}` }]);

/** Parses a configuration document: JSON for `.json`, YAML (a superset of JSON) otherwise. */
export function parseConfigText(text: string, file: string): unknown {
  try {
    const value: unknown =
      extname(file).toLowerCase() === '.json'
        ? JSON.parse(text)
        : (parseSimpleYaml(text) ??
          parseYaml(text, { maxAliasCount: 100, uniqueKeys: true, logLevel: 'error' }));
    return value ?? {};
  } catch (error) {
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
