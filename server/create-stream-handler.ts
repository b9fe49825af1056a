import { createStreamHandler as createCoreHandler } from '../api/_lib/handler.js';
import { NODE_LISTENER } from './node-handler.js';
import { resolveOptions } from './config-from-options.js';
import type { StreamHandlerOptions } from './stream-handler-options.js';

/**
 * A Web-standard route handler: a `Request` in, a `Response` out. The optional second
 * argument is what the mount passes beside the request; `{ socketAddress }` or
 * `@hono/node-server`'s `{ incoming }` tells the handler the client's address.
 */
export type RouteHandler = (request: Request, context?: unknown) => Promise<Response>;

/**
 * The chat stream endpoint, one handler per method, in the shape Next.js route files
 * export and any Web-standard server can call. They are the same function: `fetch`
 * takes every method, for mounts that route by path alone (`app.all(…)` in Hono).
 */
export interface StreamHandlers {
  /** Starts an answer: the SSE stream of docs/protocol.md, or a JSON error before it. */
  POST: RouteHandler;
  /** `?models` lists the aliases; `?status` shows the counters to the status token's holder. */
  GET: RouteHandler;
  /** `?id=` cancels a stream the same client started: 204, or 404 for any other. */
  DELETE: RouteHandler;
  /** Answers CORS preflights for the allowed origins. */
  OPTIONS: RouteHandler;
  /** Every method in one. */
  fetch: RouteHandler;
}

/**
 * Creates the handlers of `/api/chat/stream`, configured from the environment (the
 * variables of docs/configuration.md) unless options say otherwise. Call it once per
 * process, at module scope: the handlers share the open streams, the store and the
 * rate limiters. A client that disconnects aborts the request's `signal`, which stops
 * the upstream request. Throws a ConfigError naming the option or variable at fault.
 *
 * @example
 * // app/api/chat/stream/route.ts (Next.js App Router)
 * import { createStreamHandler } from 'ai-stream-chat/server';
 * export const { POST, GET, DELETE, OPTIONS } = createStreamHandler();
 *
 * @example
 * createStreamHandler({
 *   providers: { local: { baseUrl: 'http://127.0.0.1:8000/v1' } },
 *   models: { fast: 'local:llama-3.1-8b' },
 *   allowedOrigins: ['https://shop.example'],
 *   identify: (request) => userIdFromSession(request),
 * });
 */
export function createStreamHandler(options: StreamHandlerOptions = {}): StreamHandlers {
  const { config, deps } = resolveOptions(options);
  const core = createCoreHandler(config, deps);
  // A plain function per method (not the core's object with its extra fields), so a
  // framework that inspects route exports sees only what it expects.
  const handle: RouteHandler = (request, context) => core(request, context);
  // toNodeHandler finds the handler's own Node mount here, so Express and node:http build no Web objects per request.
  Object.defineProperty(handle, NODE_LISTENER, { value: core.node });
  return { POST: handle, GET: handle, DELETE: handle, OPTIONS: handle, fetch: handle };
}
