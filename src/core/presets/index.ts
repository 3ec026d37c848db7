import { development } from './development.js';
import type { Preset } from './preset.js';
import { production } from './production.js';
import { simple } from './simple.js';

export type { Preset } from './preset.js';

export const presetNames = ['simple', 'development', 'production'] as const;
export type PresetName = (typeof presetNames)[number];

/** The built-in presets, by name; `createResilience({ preset })` starts from one of them. */
export const presets: Readonly<Record<PresetName, Preset>> = { simple, development, production };
