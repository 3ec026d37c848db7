import type { ResilienceConfig } from '../orchestrator/config.js';
import { development } from './development.js';
import { production } from './production.js';
import { simple } from './simple.js';

export const presetNames = ['simple', 'development', 'production'] as const;
export type PresetName = (typeof presetNames)[number];

/**
 * The built-in presets, by name: a default strategy plus per-operation overrides, as
 * plain data, so `createResilience({ preset })` works on every runtime.
 */
export const presets: { readonly [N in PresetName]: ResilienceConfig } = Object.freeze({
  simple,
  development,
  production,
});

/** Whether `name` is one of the built-in presets. */
export const isPresetName = (name: unknown): name is PresetName =>
  typeof name === 'string' && (presetNames as readonly string[]).includes(name);
