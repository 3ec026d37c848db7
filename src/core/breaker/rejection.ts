import type { CircuitState } from './state.js';
import { CircuitOpenError } from '../errors/classes.js';
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A `CircuitOpenError` for one rejected caller, made without running the Error constructor:
 * an open circuit rejects on the hot path, where even a stackless Error costs several times
 * the rest of the rejection. It is a true instance (`instanceof`, `isCircuitOpenError`,
 * `name`, `message`), and its `stack` is its first line only, as a stackless error's is.
 * Pays for the BENCHMARKS.md row "open-circuit rejection (an error per caller, issue 10)".
 */
export function circuitOpenRejection(
  circuit: string,
  state: CircuitState,
  retryAfterMs: number | undefined,
): CircuitOpenError {
  const error = Object.create(CircuitOpenError.prototype) as Writable<CircuitOpenError>;
  error.message = `circuit "${circuit}" is ${state}; the call was not attempted`;
  error.stack = `CircuitOpenError: ${error.message}`;
  error.circuit = circuit;
  error.state = state;
  error.retryAfterMs = retryAfterMs;
  return error;
}

const settled = Promise.resolve();

/**
 * A promise rejected with `error` a microtask from now, once the caller has attached its
 * handler, and without a `throw`. Rejecting before a handler is attached costs the runtime's
 * unhandled-rejection bookkeeping, and a `throw` inside a reaction costs about 0.4 µs on
 * Node 20 here; this way costs two closures. Pays for the BENCHMARKS.md row "open-circuit
 * rejection (an error per caller, issue 10)".
 */
export function rejectedSoon(error: Error): Promise<never> {
  let reject!: (reason: Error) => void;
  const rejected = new Promise<never>((_, settle) => {
    reject = settle;
  });
  void settled.then(() => reject(error));
  return rejected;
}
