import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors/index.js';
import type { ValidGatewayConfig } from './schema.js';
import { assertGatewayConfig, parseGatewayText, type Env } from './validate.js';

/**
 * Reads, parses and validates a gateway file (YAML or JSON, `${VAR}` from `env`); any
 * failure is a `ConfigError` with every problem.
 */
export function loadGatewayFile(file: string, env: Env = process.env): ValidGatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    throw new ConfigError([
      {
        path: '',
        value: file,
        expected: 'a readable JSON or YAML file',
        message: `${file}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`}`,
      },
    ]);
  }
  return assertGatewayConfig(parseGatewayText(text, file), env);
}
