import {
  circuitBreaker,
  createResilience,
  isOpenAIComplete,
  openAIStream,
  pipeline,
  retry,
  stream,
  type OpenAIChunkShape,
} from '../../src/core/index.js';
import { timeCall, type BenchMeasurement, type BenchSuite } from '../harness.js';

const CHUNKS = 1_000;
const middle: OpenAIChunkShape = { choices: [{ finish_reason: null }] };
const last: OpenAIChunkShape = { choices: [{ finish_reason: 'stop' }] };

/** An SDK-like source: an async generator handing out chunk objects as fast as it can. */
// eslint-disable-next-line @typescript-eslint/require-await -- as fast as a source can be: nothing awaited
async function* source(): AsyncGenerator<OpenAIChunkShape> {
  for (let i = 1; i < CHUNKS; i++) yield middle;
  yield last;
}

const wire = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'bench-model',
  choices: [{ index: 0, delta: { content: 'token' }, finish_reason: null }],
});
const lastWire = wire.replace('"finish_reason":null', '"finish_reason":"stop"');

/** A source that does what an SDK's stream does per chunk: parse the event's JSON. */
// eslint-disable-next-line @typescript-eslint/require-await -- the chunks are at hand, as in a buffered body
async function* parsingSource(): AsyncGenerator<OpenAIChunkShape> {
  for (let i = 1; i < CHUNKS; i++) yield JSON.parse(wire) as OpenAIChunkShape;
  yield JSON.parse(lastWire) as OpenAIChunkShape;
}

/**
 * The least a relay costs that can settle the consumer's promise itself (what a stall needs
 * when the source never settles its `next()`): one promise of its own per chunk and one
 * reaction on the source's, nothing else — no deadline, no count, no completeness check. Not
 * breakwater: the reference row of BENCHMARKS.md's "Streams" table, the floor under any
 * implementation that keeps that guarantee.
 */
class BareRelay<T> implements AsyncIterator<T>, AsyncIterable<T> {
  private resolve: (result: IteratorResult<T>) => void = () => undefined;
  private reject: (error: unknown) => void = () => undefined;
  private readonly capture = (
    resolve: (result: IteratorResult<T>) => void,
    reject: (error: unknown) => void,
  ): void => {
    this.resolve = resolve;
    this.reject = reject;
  };
  private readonly settle = (result: IteratorResult<T>): void => this.resolve(result);
  private readonly fail = (error: unknown): void => this.reject(error);

  constructor(private readonly source: AsyncIterator<T>) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    const next = new Promise<IteratorResult<T>>(this.capture);
    this.source.next().then(this.settle, this.fail);
    return next;
  }
}

async function consume(iterable: AsyncIterable<OpenAIChunkShape>): Promise<number> {
  let count = 0;
  for await (const chunk of iterable) if (chunk.choices !== undefined) count++;
  if (count !== CHUNKS) throw new Error(`read ${count} chunks`);
  return count;
}

/**
 * Per-chunk overhead of `executeStream` over iterating the source directly (SPEC §9, issue
 * 15: at most 1.5×), with every limit on — a first-chunk deadline, an idle deadline (one
 * timer per stream), `isComplete` — through retry and a breaker, and through an orchestrator
 * operation. The source is as fast as a source can be, so the ratio is the worst case: a
 * real stream spends milliseconds between chunks, against which the overhead is noise.
 */
/** Median time per chunk of `read`, and its median ratio to `direct` timed right next to it. */
async function paired(
  direct: () => Promise<number>,
  read: () => Promise<number>,
  rounds = 15,
  streams = 40,
): Promise<{ nsPerChunk: number; ratio: number }> {
  const batch = async (call: () => Promise<number>): Promise<number> => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < streams; i++) await call();
    return Number(process.hrtime.bigint() - started) / streams / CHUNKS;
  };
  for (let i = 0; i < 3; i++) await batch(read);
  const times: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternating the order too, so neither side always runs on a warmer machine.
    const first = r % 2 === 0 ? await batch(direct) : await batch(read);
    const second = r % 2 === 0 ? await batch(read) : await batch(direct);
    const [bare, wrapped] = r % 2 === 0 ? [first, second] : [second, first];
    times.push(wrapped);
    ratios.push(wrapped / bare);
  }
  const median = (values: number[]): number =>
    values.sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? Number.NaN;
  return { nsPerChunk: median(times), ratio: median(ratios) };
}

const suite: BenchSuite = {
  title: 'stream (1,000-chunk stream)',
  measure: async (): Promise<BenchMeasurement[]> => {
    const limits = openAIStream({ firstChunkMs: 60_000, idleMs: 60_000 });
    const layered = pipeline(retry(), circuitBreaker(), stream(limits));
    const sources: [string, () => AsyncGenerator<OpenAIChunkShape>][] = [
      ['an empty generator', source],
      ['a generator parsing JSON chunks', parsingSource],
    ];
    const measured: BenchMeasurement[] = [];
    for (const [kind, make] of sources) {
      const direct = (): Promise<number> => consume(make());
      const wrapped = createResilience().wrapStream('bench', () => make(), { stream: limits });
      const rows: [string, () => Promise<number>][] = [
        [
          'reference: a bare relay that settles the consumer’s promise itself (not breakwater)',
          () => consume(new BareRelay(make())),
        ],
        [
          'executeStream: retry, breaker, stream limits',
          () => consume(layered.executeStream(make)),
        ],
        ['resilience.wrapStream (balanced, stream limits)', () => consume(wrapped())],
      ];
      measured.push({
        name: `${kind}, iterated directly`,
        library: 'bare',
        value: (await timeCall(direct)) / CHUNKS,
        unit: 'ns/chunk',
      });
      for (const [name, read] of rows) {
        const { nsPerChunk, ratio } = await paired(direct, read);
        const library = name.startsWith('reference') ? 'bare' : 'breakwater';
        measured.push(
          { name: `${kind}: ${name}`, library, value: nsPerChunk, unit: 'ns/chunk' },
          {
            name: `${kind}: ${name}, over direct (paired rounds)`,
            library,
            value: ratio,
            unit: '×',
            ...(library === 'breakwater' ? { target: '≤ 1.5×' } : {}),
          },
        );
      }
    }
    if (!isOpenAIComplete(last)) throw new Error('the last chunk must complete the stream');
    return measured;
  },
};

export default suite;
