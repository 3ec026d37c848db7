/** The Redis keys of one breaker. The `{name}` hash tag puts them in one Cluster slot. */
export interface CircuitKeys {
  readonly state: string;
  readonly window: string;
  readonly probes: string;
}

/** Keys in the order the Lua scripts take them: state, window, probes. */
export function circuitKeys(prefix: string, name: string): CircuitKeys {
  const tagged = `${prefix}{${name}}`;
  return { state: `${tagged}:state`, window: `${tagged}:window`, probes: `${tagged}:probes` };
}

/** The pub/sub channel every replica of a fleet listens on for transitions. */
export const transitionsChannel = (prefix: string): string => `${prefix}transitions`;
