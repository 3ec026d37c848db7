/**
 * Where the service runs, guessed from its environment variables. Each signal has a weight
 * (how much it alone would convince us); signals for the same environment reinforce each
 * other, signals for others count against the winner. The reasoning lists every signal.
 */

export const environments = ['development', 'testing', 'staging', 'production'] as const;
export type Environment = (typeof environments)[number];

export interface EnvironmentDetection {
  readonly environment: Environment;
  /** 0–1: how sure the detection is. */
  readonly confidence: number;
  /** One line per signal considered, in the order they were weighed. */
  readonly reasoning: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

interface Signal {
  readonly environment: Environment;
  readonly weight: number;
  readonly reason: string;
}

const aliases: Readonly<Record<string, Environment>> = {
  production: 'production',
  prod: 'production',
  prd: 'production',
  live: 'production',
  staging: 'staging',
  stage: 'staging',
  stg: 'staging',
  preprod: 'staging',
  preview: 'staging',
  uat: 'staging',
  development: 'development',
  dev: 'development',
  local: 'development',
  test: 'testing',
  testing: 'testing',
  ci: 'testing',
};

const normalise = (value: string): Environment | undefined => aliases[value.trim().toLowerCase()];

/** Variables that name the environment outright, with how much each one is trusted. */
const namingVariables: readonly (readonly [string, number])[] = [
  ['NODE_ENV', 0.8],
  ['APP_ENV', 0.75],
  ['ENVIRONMENT', 0.75],
  ['DEPLOYMENT_ENV', 0.75],
  ['VERCEL_ENV', 0.8],
  ['RAILWAY_ENVIRONMENT', 0.75],
  ['ENV', 0.6],
];

const ciMarkers = [
  'CI',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'JENKINS_URL',
  'BUILDKITE',
  'CIRCLECI',
  'TRAVIS',
  'TF_BUILD',
];

const hostPatterns: readonly (readonly [RegExp, Environment, string])[] = [
  [/(^|[-_.])(prod|prd|production|live)([-_.\d]|$)/, 'production', 'a production host name'],
  [/(^|[-_.])(staging|stage|stg|preprod|uat)([-_.\d]|$)/, 'staging', 'a staging host name'],
  [
    /(^|[-_.])(dev|development|local)([-_.\d]|$)|^localhost$/,
    'development',
    'a development host name',
  ],
  [/(^|[-_.])(test|ci)([-_.\d]|$)/, 'testing', 'a test host name'],
];

function signalsOf(env: Env): Signal[] {
  const signals: Signal[] = [];
  for (const [name, weight] of namingVariables) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const environment = normalise(value);
    if (environment !== undefined) {
      signals.push({ environment, weight, reason: `${name}=${value} names ${environment}` });
    }
  }
  const ci = ciMarkers.find((name) => {
    const value = env[name];
    return value !== undefined && value !== '' && value !== 'false' && value !== '0';
  });
  if (ci !== undefined) {
    signals.push({ environment: 'testing', weight: 0.6, reason: `${ci} is set: running under CI` });
  }
  for (const name of ['HOSTNAME', 'HOST', 'COMPUTERNAME']) {
    const host = env[name]?.toLowerCase();
    if (host === undefined || host === '') continue;
    const match = hostPatterns.find(([pattern]) => pattern.test(host));
    if (match !== undefined) {
      signals.push({
        environment: match[1],
        weight: 0.5,
        reason: `${name}=${host} looks like ${match[2]}`,
      });
    }
    break;
  }
  if (env['KUBERNETES_SERVICE_HOST'] !== undefined) {
    signals.push({
      environment: 'production',
      weight: 0.3,
      reason: 'KUBERNETES_SERVICE_HOST is set: deployed in a cluster',
    });
  }
  const debug = env['DEBUG']?.toLowerCase();
  if (debug === 'true' || debug === '1' || debug === '*') {
    signals.push({ environment: 'development', weight: 0.3, reason: `DEBUG=${debug} is set` });
  }
  return signals;
}

const round = (x: number): number => Math.round(x * 100) / 100;

/**
 * Detects the environment from `BREAKWATER_ENV` (authoritative), `NODE_ENV` and other
 * signals: platform variables, CI markers, host names such as `api-prod-3`, Kubernetes,
 * `DEBUG`. With no signal at all it assumes development, with low confidence.
 */
export function detectEnvironment(env: Env): EnvironmentDetection {
  const reasoning: string[] = [];
  const explicit = env['BREAKWATER_ENV'];
  const signals = signalsOf(env);
  if (explicit !== undefined && explicit !== '') {
    const environment = normalise(explicit);
    if (environment !== undefined) {
      reasoning.push(`BREAKWATER_ENV=${explicit} decides: ${environment}`);
      for (const s of signals) {
        if (s.environment !== environment) reasoning.push(`overridden: ${s.reason}`);
      }
      return { environment, confidence: 1, reasoning };
    }
    reasoning.push(`ignored BREAKWATER_ENV=${explicit}: not one of ${environments.join(', ')}`);
  }
  if (signals.length === 0) {
    reasoning.push('no signal found; assuming development');
    return { environment: 'development', confidence: 0.2, reasoning };
  }
  // Independent evidence for one environment combines as 1 − Π(1 − w).
  const score = new Map<Environment, number>();
  for (const s of signals) {
    score.set(s.environment, 1 - (1 - (score.get(s.environment) ?? 0)) * (1 - s.weight));
    reasoning.push(`${s.reason} (weight ${s.weight})`);
  }
  const ranked = [...score.entries()].sort((a, b) => b[1] - a[1]);
  const [winner, best] = ranked[0] ?? ['development', 0];
  const runnerUp = ranked[1]?.[1] ?? 0;
  const confidence = round(Math.max(0.1, best - runnerUp / 2));
  if (runnerUp > 0) {
    reasoning.push(`conflicting signals: ${ranked.map(([e, s]) => `${e} ${round(s)}`).join(', ')}`);
  }
  reasoning.push(`chose ${winner} with confidence ${confidence}`);
  return { environment: winner, confidence, reasoning };
}

/** The preset that suits an environment. */
export function presetFor(environment: Environment): 'simple' | 'development' | 'production' {
  if (environment === 'production' || environment === 'staging') return 'production';
  if (environment === 'development') return 'development';
  return 'simple';
}
