/** A preset: a default strategy plus per-operation overrides, as plain data. */
export interface Preset {
  readonly defaults: {
    readonly strategy: 'aggressive' | 'balanced' | 'conservative' | 'critical';
    readonly circuitBreaker?: { readonly openMs: number };
  };
  readonly operations: Readonly<
    Record<string, { readonly strategy: 'aggressive' | 'balanced' | 'conservative' | 'critical' }>
  >;
}
