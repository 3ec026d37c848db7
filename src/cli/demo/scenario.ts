import type { ProviderMode } from './provider.js';

export interface Phase {
  readonly name: string;
  readonly mode: ProviderMode;
  /** What the audience should notice. */
  readonly story: string;
  readonly durationMs: number;
}

/** Timings of one run: the full story takes about a minute, `--fast` about ten seconds. */
export interface DemoTiming {
  readonly phases: readonly Phase[];
  /** How often the live lines are printed. */
  readonly tickMs: number;
  /** A simulated user's pause between two requests. */
  readonly thinkMs: number;
  /** Breakers' open time, retries' backoff and per-attempt timeout, scaled to the story. */
  readonly openMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly timeoutMs: number;
}

const story: readonly [string, ProviderMode, string, number][] = [
  ['healthy', 'healthy', 'the provider answers in ~20 ms; every call is answered directly', 0.17],
  ['slow', 'slow', 'answers take 700 ms; timeouts cut them off and retries follow', 0.17],
  [
    'rate-limited',
    'rate-limited',
    'the provider sends 429 with Retry-After; retries wait as told',
    0.17,
  ],
  ['down', 'down', 'every call gets 503; breakers open and fallbacks answer', 0.25],
  [
    'back',
    'healthy',
    'the provider is back; breakers probe, close, and direct answers resume',
    0.24,
  ],
];

export function demoTiming(fast: boolean): DemoTiming {
  const totalMs = fast ? 10_000 : 60_000;
  return {
    phases: story.map(([name, mode, text, share]) => ({
      name,
      mode,
      story: text,
      durationMs: Math.round(totalMs * share),
    })),
    tickMs: fast ? 1_000 : 2_000,
    thinkMs: fast ? 25 : 100,
    openMs: fast ? 600 : 4_000,
    backoffInitialMs: fast ? 40 : 200,
    backoffMaxMs: fast ? 200 : 1_000,
    timeoutMs: 300,
  };
}
