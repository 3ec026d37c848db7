import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  circuitBreaker,
  classify,
  constant,
  consecutive,
  createClassifier,
  pipeline,
  retry,
  retryAfterMs,
} from '../../src/core/index.js';
import { refusedUrl, startHttpStub, type HttpStub } from '../support/http-stub.js';
import { waitFor } from '../support/wait-for.js';

/** One HTTP client as a user calls it, throwing its own errors for failures. */
export interface ClientUnderTest {
  /** Calls `url`; rejects as the client does for an error status or a failed connection. */
  call(url: string, signal?: AbortSignal): Promise<unknown>;
  /** Calls `url` with the client's own timeout of `ms`. */
  callWithOwnTimeout(url: string, ms: number): Promise<unknown>;
  /** The transient statuses worth checking for this client (default 429, 500, 502, 503, 504). */
  readonly transientStatuses?: readonly number[];
}

export const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );

/** The classifier that trusts nothing it does not recognise: transient must still be recognised. */
const strict = createClassifier({ unknown: 'permanent' });
/** Retries quickly, whatever Retry-After says (it is read, not waited for, in these tests). */
const quickRetry = () => retry({ maxAttempts: 3, backoff: constant(1), respectRetryAfter: false });

/**
 * The behaviour every client must show through breakwater, against real servers on
 * 127.0.0.1: failures that pass are transient and retried, the caller's mistakes permanent
 * and not retried, and a caller's abort neither retried nor counted by a breaker.
 */
export function describeClient(name: string, client: ClientUnderTest): void {
  describe(`${name}: its real errors through breakwater`, () => {
    let stub: HttpStub;
    let refused: string;

    beforeAll(async () => {
      stub = await startHttpStub();
      refused = await refusedUrl();
    });
    afterAll(() => stub.close());

    const statuses = client.transientStatuses ?? [429, 500, 502, 503, 504];
    it.each(statuses)(
      '%i is transient (also to a strict classifier) and retried',
      async (status) => {
        const before = stub.hits(`/status/${status}`);
        const error = await failureOf(
          quickRetry().execute(() => client.call(`${stub.url}/status/${status}`)),
        );
        expect(stub.hits(`/status/${status}`) - before).toBe(3);
        expect(classify(error)).toBe('transient');
        expect(strict.classify(error)).toBe('transient');
      },
    );

    it('reads Retry-After from its real 429 error', async () => {
      const error = await failureOf(client.call(`${stub.url}/status/429`));
      expect(retryAfterMs(error)).toBe(2000);
    });

    it.each([400, 401, 404])(
      '%i is permanent: not retried, and two of them leave a consecutive(2) breaker closed',
      async (status) => {
        const route = `/status/${status}`;
        const before = stub.hits(route);
        const error = await failureOf(
          quickRetry().execute(() => client.call(`${stub.url}${route}`)),
        );
        expect(stub.hits(route) - before).toBe(1);
        expect(classify(error)).toBe('permanent');
        const breaker = circuitBreaker({ trip: consecutive(2) });
        await failureOf(breaker.execute(() => client.call(`${stub.url}${route}`)));
        await failureOf(breaker.execute(() => client.call(`${stub.url}${route}`)));
        expect(breaker.state).toBe('closed');
      },
    );

    it('a refused connection and a reset connection are transient, also to a strict classifier', async () => {
      const refusedError = await failureOf(client.call(`${refused}/status/200`));
      expect(classify(refusedError)).toBe('transient');
      expect(strict.classify(refusedError)).toBe('transient');
      const before = stub.hits('/reset');
      const resetError = await failureOf(
        quickRetry().execute(() => client.call(`${stub.url}/reset`)),
      );
      expect(stub.hits('/reset') - before).toBe(3);
      expect(classify(resetError)).toBe('transient');
      expect(strict.classify(resetError)).toBe('transient');
    });

    it('its own timeout is transient, also to a strict classifier', async () => {
      const error = await failureOf(client.callWithOwnTimeout(`${stub.url}/hang`, 50));
      expect(classify(error)).toBe('transient');
      expect(strict.classify(error)).toBe('transient');
    });

    it("a caller's abort through ctx.signal is neither retried nor counted by a breaker", async () => {
      const breaker = circuitBreaker({ trip: consecutive(2) });
      const policy = pipeline(quickRetry(), breaker);
      const before = stub.hits('/hang');
      const closedBefore = stub.hungClosed;
      for (const [index, reason] of [undefined, new Error('the user left')].entries()) {
        const controller = new AbortController();
        const call = failureOf(
          policy.execute((ctx) => client.call(`${stub.url}/hang`, ctx.signal), controller.signal),
        );
        await waitFor(
          () => stub.hits('/hang') - before === index + 1,
          10_000,
          `request ${index + 1} to reach the server`,
        );
        controller.abort(reason);
        const error = await call;
        expect(classify(error, { signal: controller.signal })).toBe('permanent');
      }
      expect(stub.hits('/hang') - before).toBe(2);
      expect(breaker.state).toBe('closed');
      // The client really stopped: the server saw both connections close.
      await waitFor(
        () => stub.hungClosed - closedBefore === 2,
        10_000,
        'both hung connections to close',
      );
    });

    it("a caller's abort of a signal it handed the client itself is permanent and not retried", async () => {
      const breaker = circuitBreaker({ trip: consecutive(2) });
      const policy = pipeline(quickRetry(), breaker);
      const before = stub.hits('/hang');
      for (let index = 0; index < 2; index++) {
        const controller = new AbortController();
        const call = failureOf(
          policy.execute(() => client.call(`${stub.url}/hang`, controller.signal)),
        );
        await waitFor(
          () => stub.hits('/hang') - before === index + 1,
          10_000,
          `request ${index + 1} to reach the server`,
        );
        controller.abort();
        expect(classify(await call)).toBe('permanent');
      }
      expect(stub.hits('/hang') - before).toBe(2);
      expect(breaker.state).toBe('closed');
    });
  });
}
