import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../api/_lib/config/config.js';
import { createStreamHandler, type StreamHandler } from '../api/_lib/handler.js';
import { createLogger, silentLogger } from '../api/_lib/ops/log.js';
import { loadSharedState } from '../api/_lib/store/shared-state.js';
import type { ErrorBody } from '../widget/shared/protocol.js';
import { allowedHostHeaders, hostNames, isAllowedHost, originsOf } from './allowed-hosts.js';
import { serveStatic } from './static-files.js';
import { hasNoProvider, localProviderEnv } from './upstream/provider-env.js';
import { startUpstream, type LocalUpstream } from './upstream/server.js';

export interface DemoServerOptions {
  port?: number;
  /** A second origin serving the embed page, to exercise the CORS allowlist; 0 = random. */
  embedPort?: number;
  host?: string;
  /** Pace of the local upstream (used only when no provider key is set). */
  upstreamPace?: { firstTokenMs: number; tokensPerSecond: number };
  env?: Record<string, string | undefined>;
  /** Log one JSON line per stream event to stdout. */
  log?: boolean;
}

export interface DemoServer {
  url: string;
  /** The cross-origin embed page's origin. */
  embedUrl: string;
  handler: StreamHandler;
  /** Present when no provider key was set and the local upstream stands in. */
  upstream: LocalUpstream | undefined;
  close(): Promise<void>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The local server behind `npm start`: the very handler Vercel runs, mounted on Node,
 * plus the demo pages and the script-tag build. With no provider key in the
 * environment it starts the local upstream and points every provider at it.
 */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1';
  const env = { ...(options.env ?? process.env) };
  const names = hostNames(host, env.AI_STREAM_DEMO_HOSTS);
  let upstream: LocalUpstream | undefined;
  if (hasNoProvider(env)) {
    upstream = await startUpstream(options.upstreamPace ? { pace: options.upstreamPace } : {});
    Object.assign(env, localProviderEnv(upstream, 'local-upstream'));
  }

  const embed = await listen(createServer(), options.embedPort ?? 0, host);
  const main = await listen(createServer(), options.port ?? 3000, host);
  const mainUrl = originOf(main, host);
  const embedUrl = originOf(embed, host);

  // The embed page calls across origins (the allowlist); pages of this server are its
  // own origin, known here rather than read from the Host header (docs/configuration.md#cors).
  env.AI_STREAM_ALLOWED_ORIGINS = [env.AI_STREAM_ALLOWED_ORIGINS, ...originsOf(names, portOf(embed))].filter(Boolean).join(',');
  const config = loadConfig(env);
  const ownOrigins = [...config.ownOrigins, ...originsOf(names, portOf(main))];
  const handler = createStreamHandler({ ...config, ownOrigins }, { log: options.log ? createLogger() : silentLogger, ...loadSharedState(env) });
  // The handler's own Node mount: Node's request and response, no Web objects per request.
  const api = handler.node;
  const mounts = { '/dist/': join(root, 'dist'), '/': join(here, 'public') };
  // Whoever may call the API may load the script: the allowlist (the embed origins included).
  const scriptOrigins = [embedUrl, ...config.allowedOrigins];
  const mainHosts = allowedHostHeaders(names, portOf(main));
  const embedHosts = allowedHostHeaders(names, portOf(embed));

  main.on('request', (req, res) => {
    if (!isAllowedHost(req.headers.host, mainHosts)) return refuseHost(res);
    if (isStreamPath(req.url ?? '')) return void api(req, res);
    serveOr404(req, res, mounts, scriptOrigins);
  });
  embed.on('request', (req, res) => {
    if (!isAllowedHost(req.headers.host, embedHosts)) return refuseHost(res);
    serveOr404(req, res, { '/': join(here, 'public', 'embed') }, [mainUrl]);
  });

  return {
    url: mainUrl,
    embedUrl,
    handler,
    upstream,
    async close() {
      main.closeAllConnections();
      embed.closeAllConnections();
      await Promise.all([close(main), close(embed), upstream?.close(), handler.store.close()]);
    },
  };
}

/** The API answers `/api/chat/stream` exactly, with or without a query string (as on Vercel). */
function isStreamPath(target: string): boolean {
  const query = target.indexOf('?');
  return (query === -1 ? target : target.slice(0, query)) === '/api/chat/stream';
}

function serveOr404(req: IncomingMessage, res: ServerResponse, mounts: Record<string, string>, origins: readonly string[]): void {
  const notFound = (): void => void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  void serveStatic(req, res, mounts, origins).then(
    (served) => served || notFound(),
    // serveStatic does not reject; should it ever, the request fails, not the process.
    () => (res.headersSent ? res.destroy() : notFound()),
  );
}

// The message does not echo the Host: nothing the attacker chose is reflected.
function refuseHost(res: ServerResponse): void {
  const body: ErrorBody = {
    error: { code: 'host_not_allowed', message: 'This local server answers only the host names it expects (localhost, 127.0.0.1, [::1] and AI_STREAM_DEMO_HOSTS).' },
  };
  res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function join(...parts: string[]): string {
  return parts.join('/').replace(/\/+/g, '/');
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

function originOf(server: Server, host: string): string {
  const name = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${portOf(server)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 3000);
  // `npm start` is one long-running process, so its memory store can resume: a reload
  // mid-answer continues it. The library's `auto` leaves resume off with the memory store,
  // which on Vercel would send a reconnect to an instance without the log.
  process.env.AI_STREAM_RESUME ??= 'on';
  const server = await startDemoServer({ port, log: true });
  const source = server.upstream ? `the local upstream at ${server.upstream.origin} for every provider (no API key set)` : 'the providers your environment configures';
  process.stdout.write(`\n  ai-stream-chat demo:  ${server.url}/\n  embed (other origin): ${server.embedUrl}/\n  answers come from ${source}\n\n`);
  const stop = (): void => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
