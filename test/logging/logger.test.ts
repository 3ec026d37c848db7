import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createResilience,
  ServiceUnavailableError,
  type OperationConfig,
} from '../../src/core/index.js';
import { onListenerError } from '../../src/core/events.js';
import { ManualClock } from '../support/clock.js';

interface LogRecord {
  level: number;
  msg: string;
  event?: string;
  operation?: string;
  from?: string;
  to?: string;
  attempt?: number;
  delayMs?: number;
  reason?: string;
  source?: string;
  suppressed?: number;
  error?: { name: string; message: string; status?: number };
  changes?: { path: string; before: unknown; after: unknown }[];
}

const DEBUG = 20;
const INFO = 30;
const WARN = 40;

/** A real pino logger writing JSON lines into memory. */
function memoryLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  const logger = pino({ level: 'debug', base: null, timestamp: false }, stream);
  return {
    logger,
    text: () => lines.join('\n'),
    records: () => lines.map((line) => JSON.parse(line) as LogRecord),
  };
}

const unavailable = (): Promise<never> =>
  Promise.reject(Object.assign(new ServiceUnavailableError('upstream down'), { status: 503 }));
const tripsAt = (threshold: number, retry: OperationConfig['retry'] = false): OperationConfig => ({
  retry,
  circuitBreaker: { trip: { kind: 'consecutive', threshold }, openMs: 1_000 },
});

describe('createResilience({ logger }) with a real pino logger', () => {
  it('logs retries at debug, a give-up at warn and the transition to open at warn, with stable fields', async () => {
    const log = memoryLogger();
    const resilience = createResilience({ logger: log.logger });
    const config = tripsAt(2, { maxAttempts: 2, backoff: { kind: 'constant', delayMs: 0 } });
    await resilience.execute('pay', unavailable, { config }).catch(() => undefined);
    const [retry, transition, giveUp] = log.records();
    expect(retry).toMatchObject({
      level: DEBUG,
      event: 'retry',
      operation: 'pay',
      attempt: 1,
      delayMs: 0,
      error: { name: 'ServiceUnavailableError', message: 'upstream down', status: 503 },
    });
    expect(transition).toMatchObject({
      level: WARN,
      event: 'transition',
      operation: 'pay',
      from: 'closed',
      to: 'open',
      msg: 'circuit pay: closed → open',
    });
    expect(giveUp).toMatchObject({
      level: WARN,
      event: 'give-up',
      operation: 'pay',
      error: { name: 'ServiceUnavailableError', status: 503 },
    });
  });

  it('logs rejections and fallbacks at info, and the way back to closed at info', async () => {
    const clock = new ManualClock(0);
    const log = memoryLogger();
    const resilience = createResilience({ logger: log.logger, clock });
    const config = tripsAt(1);
    await resilience.execute('pay', unavailable, { config }).catch(() => undefined);
    await resilience.execute('pay', () => 'never', { config }).catch(() => undefined);
    await resilience.execute('pay', () => 'never', { config, fallback: () => 'cached' });
    clock.advance(1_000);
    await resilience.execute('pay', () => 'ok', { config });
    const records = log.records();
    expect(records.find((r) => r.event === 'rejected')).toMatchObject({
      level: INFO,
      operation: 'pay',
      reason: 'circuit_open',
      error: { name: 'CircuitOpenError' },
    });
    expect(records.find((r) => r.event === 'fallback')).toMatchObject({
      level: INFO,
      operation: 'pay',
      source: 'fallback',
      reason: 'circuit_open',
    });
    const transitions = records.filter((r) => r.event === 'transition');
    expect(transitions.map((r) => [r.from, r.to, r.level])).toEqual([
      ['closed', 'open', WARN],
      ['open', 'half-open', INFO],
      ['half-open', 'closed', INFO],
    ]);
  });

  it('logs configuration changes at info with the paths that changed', () => {
    const log = memoryLogger();
    const resilience = createResilience({
      logger: log.logger,
      config: { operations: { pay: { retry: { maxAttempts: 2 } } } },
    });
    resilience.updateConfig(
      { operations: { pay: { retry: { maxAttempts: 4 } } } },
      { source: 'admin', actor: 'ops' },
    );
    expect(log.records()).toEqual([
      expect.objectContaining({
        level: INFO,
        event: 'config-change',
        source: 'admin',
        actor: 'ops',
        changes: [{ path: 'operations.pay.retry.maxAttempts', before: 2, after: 4 }],
      }),
    ]);
  });

  it('rate-limits an outage per operation and event, then says how many records it suppressed', async () => {
    const clock = new ManualClock(0);
    const log = memoryLogger();
    const resilience = createResilience({ logger: log.logger, clock });
    const config: OperationConfig = { retry: false, circuitBreaker: false };
    for (let i = 0; i < 100; i++) {
      await resilience.execute('pay', unavailable, { config }).catch(() => undefined);
    }
    await resilience.execute('search', unavailable, { config }).catch(() => undefined);
    const giveUps = (operation: string) =>
      log.records().filter((r) => r.event === 'give-up' && r.operation === operation);
    expect(giveUps('pay')).toHaveLength(5);
    expect(giveUps('search')).toHaveLength(1);
    clock.advance(1_000);
    await resilience.execute('pay', unavailable, { config }).catch(() => undefined);
    expect(giveUps('pay').at(-1)?.suppressed).toBe(95);
  });

  it('never writes a secret: authorization headers and API keys in config, credentials in URLs and errors', async () => {
    const log = memoryLogger();
    const secrets = [
      'sk-live-0123456789abcdefSECRET',
      'Zm9vOmJhcg-basic-SECRET',
      'hunter2-SECRET',
      'query-key-SECRET',
      'rotated-key-SECRET',
    ];
    const resilience = createResilience({
      logger: log.logger,
      config: {
        operations: {
          llm: {
            retry: false,
            // Settings the orchestrator does not read, as a gateway or a plugin might add them.
            ...({
              headers: { authorization: `Bearer ${secrets[0]}` },
              apiKey: secrets[0],
            } as object),
          },
        },
      },
    });
    resilience.updateConfig({
      operations: {
        llm: { headers: { authorization: `Basic ${secrets[1]}` }, apiKey: secrets[4] },
      },
    });
    resilience.updateConfig({ operations: { llm: { headers: null } } });
    const leaky = () =>
      Promise.reject(
        Object.assign(
          new ServiceUnavailableError(
            `POST https://svc:${secrets[2]}@api.example.com/v1/chat?api_key=${secrets[3]} failed; ` +
              `request had Authorization: Bearer ${secrets[0]} and x-api-key: ${secrets[4]}`,
          ),
          { status: 503 },
        ),
      );
    await resilience.execute('llm', leaky).catch(() => undefined);
    await resilience
      .execute(`https://user:${secrets[2]}@api.example.com`, leaky, {
        config: { retry: false },
      })
      .catch(() => undefined);
    const text = log.text();
    expect(log.records().map((r) => r.event)).toEqual([
      'config-change',
      'config-change',
      'give-up',
      'give-up',
    ]);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(text).toContain('api.example.com');
  });

  it('a logger that throws never breaks a call, and a logger without the methods is refused', async () => {
    const reported: unknown[] = [];
    onListenerError((error) => reported.push(error));
    try {
      const broken = {
        info: () => {
          throw new Error('disk full');
        },
        warn: () => {
          throw new Error('disk full');
        },
        error: () => undefined,
      };
      const resilience = createResilience({ logger: broken });
      await expect(
        resilience.execute('pay', unavailable, { config: tripsAt(1), fallback: () => 'cached' }),
      ).resolves.toBe('cached');
      expect(reported.length).toBeGreaterThan(0);
    } finally {
      onListenerError((error) => console.error(error));
    }
    expect(() => createResilience({ logger: { info: () => undefined } as never })).toThrow(
      /createResilience: logger must be a pino-style logger/,
    );
  });
});
