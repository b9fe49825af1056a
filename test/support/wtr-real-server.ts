import type { Context, Next } from 'koa';
import type { TestRunnerPlugin } from '@web/test-runner';
import { startDemoServer, type DemoServer } from '../../demo/server.js';
import type { StreamClosed } from '../../demo/upstream/server.js';

/** Commands the browser tests send through `executeServerCommand`. */
export interface UpstreamCloseQuery {
  /** A string unique to the test's prompt, to find its upstream request. */
  nonce: string;
  /** @default 5000 */
  timeoutMs?: number;
}

/** What `upstream-close` answers. */
export interface UpstreamCloseResult {
  reason: StreamClosed['reason'];
  /** Upstream requests whose body held the nonce (a retry makes more than one). */
  requests: number;
}

/**
 * The real demo server (the stream handler Vercel runs, in front of the local
 * upstream) for the browser tests: started with the test runner, reached through a
 * same-origin proxy at `/api/`, and observable from tests through server commands
 * (`upstream-close`: how the upstream request of a prompt ended).
 */
export function realServer(options: { pace: { firstTokenMs: number; tokensPerSecond: number } }): {
  plugin: TestRunnerPlugin;
  middleware: (context: Context, next: Next) => Promise<void>;
} {
  let server: DemoServer | undefined;
  const plugin: TestRunnerPlugin = {
    name: 'real-stream-server',
    async serverStart() {
      server = await startDemoServer({
        port: 0,
        embedPort: 0,
        upstreamPace: options.pace,
        // A clean environment: never a real provider key, and fast server-side retries.
        env: { AI_STREAM_RETRY_BASE_MS: '50' },
      });
    },
    async serverStop() {
      await server?.close();
    },
    async executeCommand({ command, payload }) {
      // The demo server's own origin: another origin than the test page's, not on its allowlist.
      if (command === 'demo-origin') return server?.url;
      if (command !== 'upstream-close') return undefined;
      const upstream = server?.upstream;
      if (!upstream) throw new Error('The demo server runs without the local upstream.');
      return waitForClose(upstream.stats, payload as UpstreamCloseQuery);
    },
  };

  async function middleware(context: Context, next: Next): Promise<void> {
    if (!context.path.startsWith('/api/')) return next();
    if (!server) throw new Error('The demo server has not started.');
    await proxy(context, server.url);
  }
  return { plugin, middleware };
}

// Framing headers belong to each hop; Node sets its own.
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

async function proxy(context: Context, target: string): Promise<void> {
  const { req, res } = context;
  const aborted = new AbortController();
  // The browser going away must reach the server as a disconnect, as it would directly.
  res.on('close', () => {
    if (!res.writableFinished) aborted.abort();
  });
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const name of ['content-type', 'accept', 'last-event-id']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  // No Origin: through this proxy the page is same-origin with the API, as in production.
  context.respond = false;
  let response: Response;
  try {
    response = await fetch(target + context.url, {
      method: req.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      signal: aborted.signal,
    });
  } catch {
    res.destroy();
    return;
  }
  const passed = [...response.headers].filter(([name]) => !hopByHop.has(name));
  res.writeHead(response.status, Object.fromEntries(passed));
  res.flushHeaders();
  // A test can ask for the connection to break after so many bytes: a real network drop.
  const dropAfter = Number(req.headers['x-test-drop-after-bytes'] ?? Infinity);
  let sent = 0;
  try {
    if (response.body) {
      for await (const chunk of response.body) {
        res.write(chunk);
        sent += chunk.byteLength;
        if (sent >= dropAfter) {
          aborted.abort();
          res.destroy();
          return;
        }
      }
    }
    res.end();
  } catch {
    res.destroy();
  }
}

async function waitForClose(stats: NonNullable<DemoServer['upstream']>['stats'], query: UpstreamCloseQuery): Promise<UpstreamCloseResult> {
  const deadline = Date.now() + (query.timeoutMs ?? 5000);
  for (;;) {
    const ids = stats.requests.filter((request) => JSON.stringify(request.body).includes(query.nonce)).map((r) => r.requestId);
    const last = ids.at(-1);
    const closed = last === undefined ? undefined : stats.closedStreams.find((stream) => stream.requestId === last);
    if (closed) return { reason: closed.reason, requests: ids.length };
    if (Date.now() > deadline) throw new Error(`No upstream stream for "${query.nonce}" closed within the timeout.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
