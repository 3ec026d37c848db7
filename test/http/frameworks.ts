import express from 'express';
import Fastify from 'fastify';
import type { Resilience } from '../../src/core/index.js';
import { httpHandler, type HttpHandlerOptions } from '../../src/http/index.js';
import { expressHandler } from '../../src/http/express.js';
import { fastifyPlugin } from '../../src/http/fastify.js';
import { serve, type RunningServer } from '../support/http-server.js';

/** A server answering the handler's routes under `${url}${prefix}`. */
export interface Mounted extends RunningServer {
  /** Where the routes live, without a trailing slash. */
  readonly base: string;
}

export type Framework = (resilience: Resilience, options: HttpHandlerOptions) => Promise<Mounted>;

/** The same routes through each way of serving them: bare node:http, Express 5, Fastify 5. */
export const frameworks: Record<string, Framework> = {
  'node:http': async (resilience, options) => {
    const handler = httpHandler(resilience, { ...options, basePath: '/ops' });
    const server = await serve((req, res) => handler(req, res));
    return withClose(server, `${server.url}/ops`, () => handler.close());
  },
  express: async (resilience, options) => {
    const app = express();
    const handler = expressHandler(resilience, options);
    app.use('/ops', handler);
    const server = await serve(app);
    return withClose(server, `${server.url}/ops`, () => handler.close());
  },
  fastify: async (resilience, options) => {
    const app = Fastify();
    await app.register(fastifyPlugin(resilience, options), { prefix: '/ops' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const url = `http://127.0.0.1:${port}`;
    return { url, base: `${url}/ops`, close: () => app.close() };
  },
};

function withClose(server: RunningServer, base: string, closeHandler: () => void): Mounted {
  return {
    url: server.url,
    base,
    close: async () => {
      closeHandler();
      await server.close();
    },
  };
}
