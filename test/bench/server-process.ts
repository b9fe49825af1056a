/**
 * Child-process entry of the server benchmark: runs ONE server in its own process, so
 * that `process.cpuUsage()` and the RSS it reports belong to that server alone (the
 * load client and the upstream run elsewhere).
 *
 *   node server-process.js upstream
 *   node server-process.js ours|passthrough|aisdk|aisdk-hono UPSTREAM_URL [ENV_JSON]
 *
 * ENV_JSON: variables set on top of the shipped defaults for `ours` (a variant of
 * bench-variants.ts), e.g. `{"AI_STREAM_COALESCE_MS":"0"}`; the process's own
 * environment is not read, so nothing from the shell changes what is measured.
 *
 * Started with an IPC channel (`fork`, see spawn-server.ts); it answers the parent's
 * {@link ParentMessage}s with {@link ChildMessage}s.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeHeapSnapshot } from 'node:v8';
import { getRequestListener } from '@hono/node-server';
import { loadConfig } from '../../api/_lib/config/config.js';
import { createStreamHandler } from '../../api/_lib/handler.js';
import { silentLogger } from '../../api/_lib/ops/log.js';
import { startUpstream } from '../../demo/upstream/server.js';
import { loadSharedState } from '../../api/_lib/store/shared-state.js';
import { createAiSdkHandler } from './ai-sdk-handler.js';
import { createAiSdkNodeServer } from './ai-sdk-node-server.js';
import type { ServerKind } from './bench-variants.js';
import { createPassThroughProxy } from './pass-through-proxy.js';
import { benchProviderEnv } from './provider-routes.js';

/** What a bench process runs. */
export type ServerRole = ServerKind;

/** Parent → child. */
export type ParentMessage =
  | { type: 'stats' }
  /** Collect garbage (the child runs with --expose-gc), so idle RSS is comparable. */
  | { type: 'gc' }
  /** Start sampling RSS every few ms; `stats` then reports the highest value since. */
  | { type: 'track-peak' }
  /** Write a V8 heap snapshot to `path` (for profiling a missed memory budget). */
  | { type: 'heap-snapshot'; path: string }
  | { type: 'exit' };

/** A snapshot of the child's own resource use. */
export interface ProcessStats {
  /** User + system CPU time of the whole process (every thread), µs. */
  cpuMicros: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Memory of C++ objects bound to JS ones, ArrayBuffers included. */
  external: number;
  /** Highest RSS sampled since `track-peak`; undefined when not tracking. */
  peakRss: number | undefined;
}

/** Child → parent. */
export type ChildMessage = { type: 'ready'; url: string } | ({ type: 'stats' } & ProcessStats) | { type: 'gc-done' } | { type: 'snapshot-done'; path: string };

const PEAK_SAMPLE_MS = 20;
/** How long a server under test keeps an idle keep-alive socket (Node's default is 5 s). */
const IDLE_SOCKET_MS = 120_000;

async function start(role: ServerRole, upstreamUrl: string | undefined, variantEnv: Record<string, string>): Promise<{ url: string; close: () => void }> {
  if (role === 'upstream') {
    // Unpaced by default; every bench request sets its own pace and length with markers.
    const upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
    return { url: upstream.url, close: () => void upstream.close() };
  }
  if (!upstreamUrl) throw new Error(`${role} needs the upstream URL as its second argument`);
  let server: Server;
  if (role === 'passthrough') server = createPassThroughProxy(new URL(upstreamUrl).origin);
  else if (role === 'aisdk') server = createAiSdkNodeServer(upstreamUrl);
  else if (role === 'aisdk-hono') server = createServer(getRequestListener(createAiSdkHandler(upstreamUrl)));
  else {
    // The shipped defaults (coalescing, heartbeat, limits), as `npm start` and Vercel run
    // them, every provider pointed at the upstream (the alias of a request picks one),
    // the variant's variables on top; the store and rate limits as api/chat/stream.ts
    // makes them (memory store: no Redis variables here). The log is silenced because
    // it is a few lines per stream, not per token. Mounted as `npm start` mounts it: the
    // handler's own Node listener.
    const env = { ...benchProviderEnv(upstreamUrl), ...variantEnv };
    server = createServer(createStreamHandler(loadConfig(env), { ...loadSharedState(env), log: silentLogger }).node);
  }
  // The load client reuses its sockets from the warm-up for the measurement. Under heavy
  // load from elsewhere a warm-up round's slowest stream can end more than Node's default
  // 5 s after its first, and a socket the server closed as idle meanwhile fails the next
  // request with ECONNRESET: a race of the bench's, not a cost of the server.
  server.keepAliveTimeout = IDLE_SOCKET_MS;
  server.headersTimeout = IDLE_SOCKET_MS + 1_000;
  // Enough backlog for a thousand connections arriving at once.
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const send = (message: ChildMessage): void => void process.send?.(message);

const [role, upstreamUrl, envJson] = process.argv.slice(2) as [ServerRole, string | undefined, string | undefined];
const running = await start(role, upstreamUrl, envJson ? (JSON.parse(envJson) as Record<string, string>) : {});
let peak: number | undefined;
let sampler: NodeJS.Timeout | undefined;

process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'stats': {
      const { user, system } = process.cpuUsage();
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
      if (peak !== undefined) peak = Math.max(peak, rss);
      send({ type: 'stats', cpuMicros: user + system, rss, heapUsed, heapTotal, external, peakRss: peak });
      return;
    }
    case 'gc':
      // Twice: the first pass may only queue finalizers that free more on the second.
      globalThis.gc?.();
      globalThis.gc?.();
      send({ type: 'gc-done' });
      return;
    case 'track-peak':
      peak = process.memoryUsage.rss();
      clearInterval(sampler);
      sampler = setInterval(() => (peak = Math.max(peak ?? 0, process.memoryUsage.rss())), PEAK_SAMPLE_MS);
      sampler.unref();
      return;
    case 'heap-snapshot':
      send({ type: 'snapshot-done', path: writeHeapSnapshot(message.path) });
      return;
    case 'exit':
      clearInterval(sampler);
      running.close();
      process.exit(0);
  }
});
// The parent died or let go: never outlive it.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', url: running.url });
