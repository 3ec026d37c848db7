import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../src/node/config/dotenv.js';

describe('parseDotenv', () => {
  it('reads NAME=value lines the way Node does: quotes, escapes, comments, export', () => {
    const text = [
      '# legacy settings',
      'API_RETRY_MAX=3',
      'export CIRCUIT_BREAKER_TIMEOUT=30',
      'GREETING="two\\nlines" # trailing comment',
      "LITERAL='kept\\n'",
      'PLAIN=value # comment',
      '  SPACED = padded  ',
      '',
    ].join('\n');
    expect(parseDotenv(text)).toEqual({
      env: {
        API_RETRY_MAX: '3',
        CIRCUIT_BREAKER_TIMEOUT: '30',
        GREETING: 'two\nlines',
        LITERAL: 'kept\\n',
        PLAIN: 'value',
        SPACED: 'padded',
      },
      invalid: [],
    });
  });

  it('reports malformed lines by number and keeps the variables around them', () => {
    expect(parseDotenv('A=1\nnot a line\nB=2\n=3\r\nC=3')).toEqual({
      env: { A: '1', B: '2', C: '3' },
      invalid: [2, 4],
    });
  });
});
