import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { loadClientIdentityConfig } from '../../api/_lib/request/client-identity.js';
import { loadConfig } from '../../api/_lib/config/config.js';
import { loadRateLimitConfig } from '../../api/_lib/rate-limit/rate-limit-config.js';
import { createStreamHandler, type StreamHandler, type StreamHandlerDeps } from '../../api/_lib/handler.js';
import { localProviderEnv } from '../../demo/upstream/provider-env.js';
import { startUpstream, type LocalUpstream } from '../../demo/upstream/server.js';

/** The two ways the handler is mounted on Node, for suites that run on both. */
export const MOUNTS = ['node', 'hono'] as const;

export interface TestApi {
  /** Full URL of the stream endpoint. */
  endpoint: string;
  handler: StreamHandler;
  upstream: LocalUpstream;
  /** Every log line written, parsed. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * The real handler on a real HTTP server on 127.0.0.1, in front of the real local
 * upstream: what `npm start` runs (or, with `mount: 'hono'`, the Web handler Vercel and
 * Next.js run), with test-sized limits.
 */
export async function startTestApi(
  env: Record<string, string> = {},
  options: {
    pace?: { firstTokenMs: number; tokensPerSecond: number };
    deps?: StreamHandlerDeps;
    /** `node`: the handler's own Node mount, as `npm start` runs it; `hono`: the Web handler through `@hono/node-server`. */
    mount?: 'node' | 'hono';
  } = {},
): Promise<TestApi> {
  const upstream = await startUpstream({ pace: options.pace ?? { firstTokenMs: 0, tokensPerSecond: 0 } });
  const logs: Array<Record<string, unknown>> = [];
  const config = loadConfig({
    ...localProviderEnv(upstream, 'sk-test-key-never-logged'),
    AI_STREAM_RETRY_BASE_MS: '50',
    ...env,
  });
  // The rate limits and who a client is come from the same env, as in production; the
  // store is memory unless the test passes one (a Redis store on the test harness).
  const handler = createStreamHandler(config, {
    log: (event, fields) => logs.push({ event, ...fields }),
    rateLimits: loadRateLimitConfig(env),
    clientIdentity: loadClientIdentityConfig(env),
    ...options.deps,
  });
  const server = createServer(options.mount === 'hono' ? getRequestListener(handler) : handler.node);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/api/chat/stream`,
    handler,
    upstream,
    logs,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.close();
    },
  };
}

export type { Server };
