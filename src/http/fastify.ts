import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Resilience } from '../core/orchestrator/resilience.js';
import { pathOf } from './handler.js';
import { resolveOptions, type HttpHandlerOptions } from './options.js';
import { createRouter } from './router.js';

/** The part of a Fastify instance the plugin uses (typed here so breakwater needs no fastify types). */
export interface FastifyInstanceLike {
  readonly prefix: string;
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    type: string,
    parser: (
      request: unknown,
      payload: unknown,
      done: (error: Error | null, body?: unknown) => void,
    ) => void,
  ): void;
  route(options: {
    method: string[];
    url: string;
    exposeHeadRoute: boolean;
    handler(
      request: { readonly raw: IncomingMessage },
      reply: { readonly raw: ServerResponse; hijack(): void },
    ): void;
  }): unknown;
  addHook(name: 'onClose', hook: (instance: unknown, done: () => void) => void): unknown;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * The handler as a Fastify plugin:
 * `await app.register(fastifyPlugin(resilience, { token }), { prefix: '/ops' })`.
 * The plugin leaves bodies unparsed in its own scope (the handler reads and bounds them),
 * takes over the reply, and closes the handler when Fastify closes. The routes live under the
 * plugin's `prefix`; `basePath` is not used here.
 */
export function fastifyPlugin(
  resilience: Resilience,
  options: HttpHandlerOptions = {},
): (fastify: FastifyInstanceLike) => Promise<void> {
  const resolved = resolveOptions({ ...options, basePath: '' });
  return (fastify) => {
    const router = createRouter(resilience, resolved);
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const prefix = fastify.prefix.replace(/\/$/, '');
    for (const url of ['/', '/*']) {
      fastify.route({
        method: METHODS,
        url,
        exposeHeadRoute: false,
        handler(request, reply) {
          reply.hijack();
          router.serve(request.raw, reply.raw, pathOf(request.raw.url ?? '/', prefix) ?? '/');
        },
      });
    }
    fastify.addHook('onClose', (_instance, done) => {
      router.close();
      done();
    });
    return Promise.resolve();
  };
}

export type { HttpHandlerOptions, MetricsSource } from './options.js';
