import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { StreamEvent } from '../../../widget/shared/protocol.js';

/** The page's policy: nothing inline, nothing from elsewhere, no eval. */
export const benchCsp = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'";

const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>render bench</title><link rel="icon" href="data:,">
<script type="module" src="/dist/ai-stream-chat.js"></script><script type="module" src="/bench/page.js"></script></head><body></body></html>`;

/** What the render bench's server serves. */
export interface RenderServerOptions {
  /** The built widget (the script-tag file and its chunks). */
  distDir: string;
  /** The bundled page script. */
  pageScript: string;
  /** The answer, token by token. */
  tokens: readonly string[];
  tokensPerSecond: number;
}

/** A running render-bench server. */
export interface RenderServer {
  url: string;
  close(): Promise<void>;
}

// Tokens due are written every tick, one SSE event each, as a server that coalesces little would.
const tickMs = 20;

/**
 * One origin for the bench page (under a strict CSP), the built widget, and `POST
 * /stream`: the answer as the project's SSE protocol, paced at `tokensPerSecond`.
 */
export async function startRenderServer(options: RenderServerOptions): Promise<RenderServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST' && path === '/stream') return void req.resume().on('end', () => stream(res, options));
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': benchCsp }).end(page);
    if (path === '/bench/page.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(options.pageScript);
    const file = normalize(join(options.distDir, path.replace(/^\/dist\//, '')));
    if (!path.startsWith('/dist/') || !file.startsWith(options.distDir + sep) || extname(file) !== '.js') return void res.writeHead(404).end();
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': 'text/javascript', 'content-security-policy': benchCsp }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => close(server) };
}

function stream(res: import('node:http').ServerResponse, { tokens, tokensPerSecond }: RenderServerOptions): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-stream-id': 'bench' });
  const send = (event: StreamEvent): boolean => res.write(`data: ${JSON.stringify(event)}\n\n`);
  send({ type: 'start', streamId: 'bench', model: 'bench', provider: 'bench' });
  const started = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.min(tokens.length, Math.floor(((performance.now() - started) * tokensPerSecond) / 1000));
    for (; sent < due; sent++) send({ type: 'token', content: tokens[sent] ?? '' });
    if (sent < tokens.length) return;
    clearInterval(timer);
    const usage = { promptTokens: 10, completionTokens: tokens.length, totalTokens: tokens.length + 10, source: 'estimate' } as const;
    send({ type: 'done', finishReason: 'stop', usage });
    res.end();
  }, tickMs);
  res.on('close', () => clearInterval(timer));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
