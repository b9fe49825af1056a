import { Agent, createServer, request as httpRequest, type Server } from 'node:http';

/**
 * The benchmark's baseline: the least a server can do to stream an answer, a node:http
 * proxy that forwards the request to the upstream and pipes the response bytes back
 * unchanged. No parsing, no framing, no counting; whatever our server costs beyond
 * this is the price of what it adds.
 *
 * Every request goes to `{upstreamOrigin}{same path}`, so a client posts an OpenAI
 * request to `/v1/chat/completions` on the proxy and reads OpenAI's stream back.
 */
export function createPassThroughProxy(upstreamOrigin: string): Server {
  const upstream = new URL(upstreamOrigin);
  // Keep-alive and no socket cap, as undici's global fetch (what our server uses) has.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

  return createServer((req, res) => {
    const forward = httpRequest(
      {
        agent,
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    // A client that leaves closes the upstream connection too, as our server does.
    res.on('close', () => {
      if (!res.writableFinished) forward.destroy();
    });
    req.pipe(forward);
  });
}
