import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { localProviderEnv } from '../../../demo/upstream/provider-env.js';
import { startUpstream, type LocalUpstream } from '../../../demo/upstream/server.js';

/** A built front-end fixture served with the chat endpoint beside it, on one origin. */
export interface ElementAppServer {
  origin: string;
  upstream: LocalUpstream;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

/**
 * Serves `staticDir` (a Vite build) and mounts `/api/chat/stream` from the fixture's
 * installed kit (`ai-stream-chat/server` out of the tarball, through its `toNodeHandler`)
 * in front of a local upstream, as a site that hosts both would.
 */
export async function startElementApp(appDir: string, staticDir: string): Promise<ElementAppServer> {
  const upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
  const kit = (await import(pathToFileURL(join(appDir, 'node_modules/ai-stream-chat/dist/server/server/index.js')).href)) as typeof import('../../../server/index.js');
  let api: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/api/chat/stream' && api) return void api(req, res);
    // Browsers ask for it; an app without one gets an empty answer rather than a logged 404.
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    const file = normalize(join(staticDir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(staticDir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Configured in code, with the page's origin as the server's own (known once listening).
  const chat = kit.createStreamHandler({ env: localProviderEnv(upstream, 'sk-fixture-key-never-logged'), publicOrigins: [origin], log: () => {} });
  api = kit.toNodeHandler(chat.fetch);
  return {
    origin,
    upstream,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.close();
    },
  };
}
