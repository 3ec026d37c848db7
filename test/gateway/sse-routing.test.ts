import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRoute, findRoute, globToRegExp } from '../../src/gateway/proxy/routing.js';
import { SseParser } from '../../src/gateway/sse/parser.js';
import { dialects } from '../../src/gateway/sse/dialect.js';
import { anthropicEvents, openaiEvents } from '../support/fake-llm.js';

describe('SSE parsing', () => {
  it('gives the same events however the bytes are split (property, seeded)', () => {
    const text = [
      ...openaiEvents(['héllo ', '世界', '🙂']),
      ': comment\r\n\r\n',
      'event: x\r\ndata: a\r\ndata: b\r\n\r\n',
    ].join('');
    const bytes = new TextEncoder().encode(text);
    const whole = new SseParser().push(bytes);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 20 }),
        (cuts) => {
          const parser = new SseParser();
          const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
          const events = points
            .slice(1)
            .flatMap((end, i) => parser.push(bytes.slice(points[i], end)));
          expect(events).toEqual(whole);
          expect(Buffer.concat(events.map((e) => e.raw)).toString()).toBe(text);
        },
      ),
      { seed: 16, numRuns: 200 },
    );
    expect(whole.at(-1)).toEqual({
      raw: Buffer.from('event: x\r\ndata: a\r\ndata: b\r\n\r\n'),
      event: 'x',
      data: 'a\nb',
    });
  });

  it('drops a byte-order mark opening the stream, even split across chunks, and keeps the bytes', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const event = Buffer.from('data: {"a":"é"}\n\n');
    const parser = new SseParser();
    expect(parser.push(bom.subarray(0, 1))).toEqual([]);
    expect(parser.push(bom.subarray(1, 2))).toEqual([]);
    const events = parser.push(Buffer.concat([bom.subarray(2), event]));
    expect(events).toEqual([{ raw: event, event: undefined, data: '{"a":"é"}' }]);
    // Only at the start: later the same bytes belong to an event.
    expect(parser.push(Buffer.concat([bom, event]))[0]?.raw).toEqual(Buffer.concat([bom, event]));
  });

  it('reads what each openai event means: a role-only delta is not content, finish_reason completes', () => {
    const meanings = new SseParser()
      .push(new TextEncoder().encode(openaiEvents(['a']).join('')))
      .map((event) => dialects.openai.meaning(event));
    expect(meanings.map((m) => [m.content, m.finish, m.done])).toEqual([
      [false, false, false],
      [true, false, false],
      [false, true, false],
      [false, false, true],
    ]);
  });

  it('reads anthropic events: text deltas are content, message_stop is the end', () => {
    const meanings = new SseParser()
      .push(new TextEncoder().encode(anthropicEvents(['a']).join('')))
      .map((event) => dialects.anthropic.meaning(event));
    expect(meanings.filter((m) => m.content).map((m) => m.text)).toEqual(['a']);
    expect(meanings.at(-1)?.done).toBe(true);
  });
});

describe('routing', () => {
  const route = (name: string, match: Record<string, string>) => ({
    matcher: compileRoute({ name, match, targets: [{ upstream: 'u' }] }),
  });
  const routes = [
    route('exact', { method: 'POST', path: '/v1/chat/completions', model: 'gpt-4o*' }),
    route('any-model', { path: '/v1/chat/completions' }),
    route('prefix', { path: '/api/' }),
  ];
  const pick = (method: string, path: string, model?: string) =>
    findRoute(routes, { method, path, model })?.matcher.route.name;

  it('matches method, exact path and model glob; the first match wins', () => {
    expect(pick('POST', '/v1/chat/completions', 'gpt-4o-mini')).toBe('exact');
    expect(pick('POST', '/v1/chat/completions', 'claude-3')).toBe('any-model');
    expect(pick('GET', '/v1/chat/completions', 'gpt-4o')).toBe('any-model');
    expect(pick('GET', '/api/users/1')).toBe('prefix');
    expect(pick('GET', '/api')).toBeUndefined();
    expect(pick('GET', '/v1/chat/completions/x')).toBeUndefined();
  });

  it('globs: * any run, ? one character, everything else literal', () => {
    expect(globToRegExp('gpt-4o*').test('gpt-4o-2024')).toBe(true);
    expect(globToRegExp('gpt-?').test('gpt-4')).toBe(true);
    expect(globToRegExp('gpt-?').test('gpt-40')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
});
