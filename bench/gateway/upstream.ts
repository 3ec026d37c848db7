/**
 * The bench's fast upstream, in its own process: an OpenAI-compatible chat completion as JSON,
 * or as 20 SSE chunks when the body asks for a stream (`"slow": true`: one chunk every 20 ms,
 * for the many-streams memory run). Prints its port on stdout.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o',
  choices: [
    { index: 0, message: { role: 'assistant', content: 'hello world' }, finish_reason: 'stop' },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
});
const chunk = (delta: object, finish: string | null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const events = [
  chunk({ role: 'assistant', content: '' }, null),
  ...Array.from({ length: 20 }, (_, i) => chunk({ content: `t${i} ` }, null)),
  chunk({}, 'stop'),
  'data: [DONE]\n\n',
];
const whole = events.join('');

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (part: Buffer) => (body += part.toString()));
  req.on('end', () => {
    if (!body.includes('"stream":true')) {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(completion),
      });
      res.end(completion);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (!body.includes('"slow":true')) {
      res.end(whole);
      return;
    }
    let next = 0;
    const timer = setInterval(() => {
      const event = events[next++];
      if (event === undefined || res.destroyed) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(event);
    }, 20);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
