/* eslint-disable @typescript-eslint/require-await -- async functions stand in for real async operations */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { TransientError } from '../../src/core/errors/index.js';
import type { DetailedResult } from '../../src/core/policy.js';
import { createResilience } from '../../src/core/orchestrator/resilience.js';
import { failureOf, valueOf } from './helpers.js';

type Fixture = typeof import('./fixtures/decorated-api.js');
let fixture: Promise<Fixture> | undefined;

/**
 * The decorated class, compiled by TypeScript (target ES2022, standard decorators) the way
 * a user's build compiles it; its one runtime import points at the source errors module.
 */
function decoratedFixture(): Promise<Fixture> {
  fixture ??= (async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const source = await readFile(join(here, 'fixtures/decorated-api.ts'), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
    });
    const errorsUrl = pathToFileURL(join(here, '../../src/core/errors/index.ts')).href;
    const dir = await mkdtemp(join(tmpdir(), 'breakwater-decorators-'));
    const file = join(dir, 'decorated-api.mjs');
    await writeFile(file, outputText.replace('../../../src/core/errors/index.js', errorsUrl));
    try {
      return (await import(pathToFileURL(file).href)) as Fixture;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return fixture;
}

describe('wrap and @resilient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the exact signature of an async function, and passes every argument', async () => {
    const resilience = createResilience();
    const functionWithArgs = async (
      arg1: string,
      arg2: string,
      options: { kwarg1?: string; kwarg2?: string } = {},
    ): Promise<string> =>
      `${arg1}-${arg2}-${options.kwarg1 ?? 'None'}-${options.kwarg2 ?? 'default'}`;
    const wrapped = resilience.wrap('args_test', functionWithArgs, { strategy: 'balanced' });
    expectTypeOf(wrapped).parameters.toEqualTypeOf<Parameters<typeof functionWithArgs>>();
    expectTypeOf(wrapped).returns.toEqualTypeOf<Promise<string>>();
    expect(await valueOf(wrapped('a', 'b', { kwarg1: 'c', kwarg2: 'd' }))).toBe('a-b-c-d');
    expect(await valueOf(wrapped('x', 'y'))).toBe('x-y-None-default');
    expect(wrapped.operation).toBe('args_test');
    expect(wrapped.name).toBe('functionWithArgs');
  });

  it('keeps overloads and generics of an async function', async () => {
    const resilience = createResilience();
    const identity = async <T>(value: T): Promise<T> => value;
    const wrapped = resilience.wrap('generic', identity);
    const answer = await valueOf(wrapped({ id: 1 }));
    expectTypeOf(answer).toEqualTypeOf<{ id: number }>();
    expect(answer).toEqual({ id: 1 });
  });

  it('turns a synchronous function into one answering with a promise', async () => {
    const resilience = createResilience();
    const add = (a: number, b: number): number => a + b;
    const wrapped = resilience.wrap('sync', add);
    expectTypeOf(wrapped).returns.toEqualTypeOf<Promise<number>>();
    expect(await valueOf(wrapped(2, 3))).toBe(5);
    const throwing = resilience.wrap(
      'sync_throw',
      (): number => {
        throw new TransientError('sync failure');
      },
      { strategy: 'aggressive' },
    );
    expect(await failureOf(throwing())).toBeInstanceOf(TransientError);
    expect(resilience.metrics('sync_throw')?.retryAttempts).toBe(1);
  });

  it('@resilient decorates methods (TC39 decorators) and keeps `this`', async () => {
    const resilience = createResilience();
    const { defineApi } = await decoratedFixture();
    const Api = defineApi(resilience);
    const api = new Api('bot');
    expectTypeOf(api)
      .toHaveProperty('answer')
      .toEqualTypeOf<(question: string) => Promise<string>>();
    expect(await valueOf(api.answer('why?'))).toBe('bot: why?');
    expect(api.calls).toBe(3);
    expect(resilience.metrics('qa')?.retryAttempts).toBe(2);
    expect(resilience.breaker('qa')).toBeDefined();
  });

  it('@resilient refuses a synchronous method (a type error in the fixture)', async () => {
    const resilience = createResilience();
    const { defineSyncMethod } = await decoratedFixture();
    const Counter = defineSyncMethod(resilience);
    // What the type error keeps out: a method typed `number` that answers with a promise.
    const answer: unknown = new Counter().count();
    expect(answer).toBeInstanceOf(Promise);
    await expect(answer).resolves.toBe(1);
  });

  it('detailed keeps each overload, `this` and a synchronous function’s parameters', async () => {
    const resilience = createResilience();
    function parse(text: string): Promise<number>;
    function parse(text: string, asText: true): Promise<string>;
    async function parse(text: string, asText?: true): Promise<number | string> {
      return asText === true ? text : Number(text);
    }
    const wrapped = resilience.wrap('overloaded', parse);
    expectTypeOf(wrapped.detailed('1')).toEqualTypeOf<Promise<DetailedResult<number>>>();
    expectTypeOf(wrapped.detailed('1', true)).toEqualTypeOf<Promise<DetailedResult<string>>>();
    // @ts-expect-error -- no overload takes a number
    void wrapped.detailed(1).catch(() => undefined);
    expect((await wrapped.detailed('7')).value).toBe(7);
    expect((await wrapped.detailed('7', true)).value).toBe('7');

    const add = resilience.wrap('sync_detailed', (a: number, b: number): number => a + b);
    expectTypeOf(add.detailed).parameters.toEqualTypeOf<[a: number, b: number]>();
    expectTypeOf(add.detailed(1, 2)).toEqualTypeOf<Promise<DetailedResult<number>>>();
    expect(await add.detailed(1, 2)).toMatchObject({ value: 3, fromFallback: false });

    const next = resilience.wrap('with_this', async function (this: { step: number }, n: number) {
      return n + this.step;
    });
    expectTypeOf(next.detailed).thisParameter.toEqualTypeOf<{ step: number }>();
    expect((await next.detailed.call({ step: 2 }, 1)).value).toBe(3);
  });

  it('@resilient with an unknown strategy fails when the class is defined', async () => {
    const resilience = createResilience();
    const { defineBroken } = await decoratedFixture();
    expect(() => defineBroken(resilience)).toThrow(/strategy must be one of/);
  });

  it('execute passes the context: signal, attempt and operation', async () => {
    const resilience = createResilience();
    const seen: [number, string | undefined, boolean][] = [];
    const value = await valueOf(
      resilience.execute(
        'with_context',
        (ctx) => {
          seen.push([ctx.attempt, ctx.operation, ctx.signal instanceof AbortSignal]);
          if (ctx.attempt < 2) throw new TransientError('again');
          return 42;
        },
        { strategy: 'aggressive' },
      ),
    );
    expect(value).toBe(42);
    expect(seen).toEqual([
      [1, 'with_context', true],
      [2, 'with_context', true],
    ]);
  });

  it('execute rejects at once when the caller has already aborted', async () => {
    const resilience = createResilience();
    const controller = new AbortController();
    controller.abort(new Error('caller gave up'));
    const fn = vi.fn(() => 1);
    const error = await failureOf(resilience.execute('aborted', fn, { signal: controller.signal }));
    expect((error as Error).message).toBe('caller gave up');
    expect(fn).not.toHaveBeenCalled();
  });
});
