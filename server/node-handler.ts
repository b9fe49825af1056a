import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { BODY_ALREADY_READ, requestUrl, webHeaders, type MountedRequest, type NodeListener } from '../api/_lib/http/node-mount.js';
import type { RouteHandler } from './create-stream-handler.js';

/** Where a handler of `createStreamHandler` keeps its own Node mount. */
export const NODE_LISTENER = Symbol('ai-stream-chat.node-listener');

/**
 * A handler as a Node `(req, res)` listener, for Express, Fastify's `raw` routes or
 * `node:http` itself. A handler of `createStreamHandler` uses its own Node mount,
 * which builds no Web `Request` or `Response`; any other Web-standard handler is
 * adapted. Either way the request body is read as it arrives (the handler bounds its
 * size and time), the response is written with Node's backpressure, and a client that
 * disconnects aborts the request's `signal`, which stops the upstream request.
 *
 * Mount it before any body parser (`express.json()` reads the body first, and the
 * handler then answers 500 naming the cause).
 *
 * @example
 * const chat = createStreamHandler();
 * app.all('/api/chat/stream', toNodeHandler(chat.fetch));
 */
export function toNodeHandler(handler: RouteHandler): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  // One of ours: its own Node mount reads and writes Node's objects directly.
  const own = (handler as { [NODE_LISTENER]?: NodeListener })[NODE_LISTENER];
  if (own) return own;
  return async (req, res) => {
    const disconnected = new AbortController();
    // 'close' on the response: the request side closes as soon as its body is read.
    res.once('close', () => {
      if (!res.writableFinished) disconnected.abort();
    });
    let response: Response;
    try {
      response = await handler(toRequest(req as MountedRequest, disconnected.signal), { socketAddress: req.socket.remoteAddress });
    } catch (error) {
      response = Response.json({ error: { code: 'internal_error', message: error instanceof BodyAlreadyRead ? error.message : 'The server hit an unexpected error.' } }, { status: 500 });
    }
    await writeResponse(response, res, disconnected.signal);
  };
}

class BodyAlreadyRead extends Error {}

function toRequest(req: MountedRequest, signal: AbortSignal): Request {
  const method = req.method ?? 'GET';
  const url = requestUrl(req);
  const headers = webHeaders(req);
  const hasBody = method !== 'GET' && method !== 'HEAD';
  if (hasBody && req.readableEnded && req.body !== undefined) {
    throw new BodyAlreadyRead(BODY_ALREADY_READ);
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (hasBody) {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  return new Request(url, init);
}

async function writeResponse(response: Response, res: ServerResponse, disconnected: AbortSignal): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue;
    res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (!response.body) {
    res.end();
    return;
  }
  // Headers now: an SSE client should see the stream open before the first token.
  res.flushHeaders();
  const reader = response.body.getReader();
  const stop = (): void => void reader.cancel().catch(() => {});
  disconnected.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res, disconnected);
      if (disconnected.aborted) return;
    }
    res.end();
  } catch {
    // The body failed mid-stream (the handler ends its own streams with an error event,
    // so this is a socket gone): nothing more can reach the client.
    res.destroy();
  } finally {
    disconnected.removeEventListener('abort', stop);
  }
}

/** Resolves when the socket takes more, or the client is gone. */
function drained(res: ServerResponse, disconnected: AbortSignal): Promise<void> {
  if (disconnected.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      disconnected.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    disconnected.addEventListener('abort', done);
  });
}
