import { abortReason } from '../abort.js';
import { TimeoutError } from '../errors/index.js';
import { isPromiseLike } from '../promise-like.js';
import { unrefTimer } from '../timers.js';
import type { CheckFunction } from './checkable.js';

/** How one bounded check went: `ok` only when it answered `true` in time. */
export interface CheckOutcome {
  readonly ok: boolean;
  /** What made it fail: the thrown error, a `TimeoutError`, the stop reason; `undefined` for a plain `false`. */
  readonly error: unknown;
}

const PASSED: CheckOutcome = { ok: true, error: undefined };
const ANSWERED_FALSE: CheckOutcome = { ok: false, error: undefined };

const answer = (value: unknown): CheckOutcome => (value === true ? PASSED : ANSWERED_FALSE);

/**
 * Runs a check or recovery function and always resolves, never rejects: a throw, a
 * rejection, a timeout after `timeoutMs` (Infinity: none) or the abort of `stop` all count
 * as a failure. The function's signal aborts on timeout and on `stop`; the timer is
 * unref'd and cleared as soon as the outcome is known, and a late answer is ignored.
 */
export function runBounded(
  fn: CheckFunction,
  timeoutMs: number,
  stop?: AbortSignal,
): Promise<CheckOutcome> {
  if (stop?.aborted === true) return Promise.resolve({ ok: false, error: abortReason(stop) });
  const controller = new AbortController();
  let returned: unknown;
  try {
    returned = fn(controller.signal);
  } catch (error) {
    return Promise.resolve({ ok: false, error });
  }
  if (!isPromiseLike(returned)) return Promise.resolve(answer(returned));
  const pending = returned;
  return new Promise<CheckOutcome>((resolve) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (outcome: CheckOutcome): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
      resolve(outcome);
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      controller.abort(error);
      settle({ ok: false, error });
    };
    const onStop = (): void => fail(abortReason(stop as AbortSignal));
    if (Number.isFinite(timeoutMs)) {
      timer = unrefTimer(setTimeout(() => fail(new TimeoutError(timeoutMs)), timeoutMs));
    }
    stop?.addEventListener('abort', onStop, { once: true });
    pending.then(
      (value) => settle(answer(value)),
      (error: unknown) => settle({ ok: false, error }),
    );
  });
}

function codeOf(error: Error): string | undefined {
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}

/** A short, log-friendly reason for a failed outcome. */
export function describeFailure(outcome: CheckOutcome): string {
  const { error } = outcome;
  if (error === undefined) return 'answered false';
  if (error instanceof Error) {
    // fetch and friends hide the useful part (ECONNREFUSED, …) in `cause`.
    const cause: unknown = error.cause;
    const detail = cause instanceof Error ? ` (${codeOf(cause) ?? cause.message})` : '';
    return `${error.name}: ${error.message}${detail}`;
  }
  if (typeof error === 'string') return error;
  return `failed with a non-Error value (${typeof error})`;
}
