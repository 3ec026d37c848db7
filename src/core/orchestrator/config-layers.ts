import { ConfigError } from '../errors/index.js';
import { failChoice } from '../option-checks.js';
import { isPresetName, presetNames, presets, type PresetName } from '../presets/index.js';
import type { ResilienceConfig } from './config.js';
import { composePatches, mergePatch, withoutPreset } from './layered-config.js';

const EMPTY_CONFIG: ResilienceConfig = { operations: {} };

/**
 * The orchestrator's configuration and what it is made of: a preset's data, and every patch
 * laid over it since (the constructor's `config`, then each update). Keeping the layers apart
 * lets an update that names another preset re-base the same patches on the new preset's data.
 * A value: `patched` answers a new one, which the orchestrator adopts only once it is valid.
 */
export class ConfigLayers {
  private constructor(
    /** The configuration in force. */
    readonly current: ResilienceConfig,
    private readonly presetBase: ResilienceConfig,
    private readonly laidOver: unknown,
  ) {}

  /** `config` over `preset` (a name, a configuration, or none). */
  static of(preset: PresetName | ResilienceConfig | undefined, config: unknown): ConfigLayers {
    const presetBase = presetConfig(preset);
    const patch = config ?? {};
    return new ConfigLayers(
      withOperations(mergePatch(presetBase, patch)),
      presetBase,
      withoutPreset(patch),
    );
  }

  /** The layers a JSON merge patch leads to; a patch naming an unknown preset is a ConfigError. */
  patched(patch: unknown): ConfigLayers {
    const laidOver = composePatches(this.laidOver, withoutPreset(patch));
    const named =
      typeof patch === 'object' && patch !== null
        ? (patch as { preset?: unknown }).preset
        : undefined;
    if (named === undefined || named === this.current.preset) {
      return new ConfigLayers(
        withOperations(mergePatch(this.current, patch)),
        this.presetBase,
        laidOver,
      );
    }
    if (named !== null && !isPresetName(named)) {
      const expected = `one of ${presetNames.map((n) => `'${n}'`).join(', ')}`;
      throw new ConfigError([
        {
          path: 'preset',
          message: `preset must be ${expected}, got ${JSON.stringify(named)}`,
          value: named,
          expected,
        },
      ]);
    }
    const presetBase = named === null ? EMPTY_CONFIG : presetConfig(named);
    return new ConfigLayers(withOperations(mergePatch(presetBase, laidOver)), presetBase, laidOver);
  }
}

function presetConfig(preset: PresetName | ResilienceConfig | undefined): ResilienceConfig {
  if (preset === undefined) return EMPTY_CONFIG;
  if (typeof preset === 'object' && preset !== null) return preset;
  if (!isPresetName(preset)) {
    failChoice('resilience', 'preset', presetNames, preset);
  }
  return { ...presets[preset], preset };
}

/** A configuration with its `operations` map present, whatever the patch removed. */
function withOperations(config: unknown): ResilienceConfig {
  const value = (
    typeof config === 'object' && config !== null ? config : {}
  ) as Partial<ResilienceConfig>;
  return { ...value, operations: value.operations ?? {} };
}
