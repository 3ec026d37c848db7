export interface RecoveryDelaySettings {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  /** Fraction of the delay added or removed at random (0.1 → ±10 %). */
  readonly jitter: number;
}

/**
 * The wait after failed attempt number `attempt` (1-based): `baseDelayMs × multiplier^(attempt-1)`,
 * capped at `maxDelayMs`, then moved by up to ±`jitter` of itself and kept within
 * [0, maxDelayMs]. `random` returns a number in [0, 1), so the result is deterministic in tests.
 */
export function recoveryDelay(
  attempt: number,
  settings: RecoveryDelaySettings,
  random: () => number,
): number {
  const exponential = settings.baseDelayMs * settings.multiplier ** (attempt - 1);
  const capped = Math.min(exponential, settings.maxDelayMs);
  if (settings.jitter === 0) return capped;
  const jittered = capped * (1 + settings.jitter * (2 * random() - 1));
  return Math.min(Math.max(jittered, 0), settings.maxDelayMs);
}
