import { Agent, createServer, request as httpRequest, type Server } from 'node:http';

/** Below Node's default server keep-alive timeout (5 s), which the local upstream keeps. */
const FREE_SOCKET_MS = 4_000;

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
  // Keep-alive and no socket cap, as our server's own transport has. An idle
  // socket is closed after FREE_SOCKET_MS, before the upstream's own 5 s keep-alive
  // timeout: reusing a socket the upstream is closing fails the request (a 502 here,
  // with no retry), which under heavy load from elsewhere failed whole warm-up rounds.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, timeout: FREE_SOCKET_MS });

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
