import type { StreamOptions } from '../stream/options.js';
import type { OperationConfig, StrategyName } from './config.js';
import type { CodeSettings } from './resolve.js';
import { withStreamDeadlines } from './stream-call.js';
import { resolveStrategy, type Strategy } from './strategies.js';

interface CodeOptions {
  strategy?: StrategyName | Strategy;
  config?: OperationConfig;
}

/** What `wrap`/`execute` were given, checked now (an unknown strategy throws at the call site). */
export function codeSettings(options: CodeOptions): CodeSettings {
  if (options.strategy !== undefined) resolveStrategy(options.strategy);
  if (options.config?.strategy !== undefined) resolveStrategy(options.config.strategy);
  return {
    ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
    ...(options.config === undefined ? {} : { config: options.config }),
  };
}

/** A streaming call's code settings: its stream deadlines under the `stream` config key. */
export function streamSettings(
  options: CodeOptions & { stream?: Omit<StreamOptions<never>, 'clock'> },
): CodeOptions {
  const config = withStreamDeadlines(options.config, options.stream);
  return {
    ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
    ...(config === undefined ? {} : { config }),
  };
}
