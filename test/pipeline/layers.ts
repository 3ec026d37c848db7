import { BasePolicy, RUN, type ExecutionContext, type Operation } from '../../src/core/policy.js';

/** Test layers: small policies that show what a pipeline does with order and context. */

/** Logs entering and leaving, to show the order of the layers. */
export class Recorder extends BasePolicy {
  constructor(
    private readonly name: string,
    private readonly log: string[],
  ) {
    super(undefined);
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    this.log.push(`enter ${this.name}`);
    return Promise.resolve(fn(ctx)).finally(() => this.log.push(`leave ${this.name}`));
  }
}

/** Answers `value` when the call fails, recording that a fallback answered. */
export class AnswerOnFailure<V> extends BasePolicy {
  constructor(private readonly value: V) {
    super(undefined);
  }

  async [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    try {
      return await fn(ctx);
    } catch {
      if (ctx.provenance !== undefined) {
        ctx.provenance.fromFallback = true;
        ctx.provenance.source = 'fallback';
      }
      return this.value as unknown as T;
    }
  }
}
