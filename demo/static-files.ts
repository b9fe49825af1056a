import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * Serves files under `mounts` (URL prefix → folder) with a strict Content Security
 * Policy (only this origin and the `origins` it trusts), so the demo proves the widget
 * needs no inline script, eval or third party. `origins` are the other demo origin and,
 * on the main server, the operator's `AI_STREAM_ALLOWED_ORIGINS`: a page the API accepts
 * may also load the script (module scripts load in CORS mode), and no other may.
 * Hand-written: the demo needs a dozen lines of static serving, not a framework.
 * Resolves true when it answered (a file, or 400 for a path that is not a URL),
 * false when nothing matched; never rejects, since one bad request must not stop the
 * process that serves every stream.
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  mounts: Record<string, string>,
  origins: readonly string[],
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const pathname = decodedPath(req.url ?? '/');
  if (pathname === undefined) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Bad request: the path is not a valid URL.');
    return true;
  }
  for (const [prefix, root] of Object.entries(mounts)) {
    if (!pathname.startsWith(prefix)) continue;
    let rel = pathname.slice(prefix.length) || 'index.html';
    if (rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(root, rel));
    if (!file.startsWith(normalize(root) + sep) && file !== normalize(root)) return false;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      ...allowOrigin(req.headers.origin, origins),
      'content-security-policy': contentSecurityPolicy(origins),
    });
    if (req.method === 'HEAD') res.end();
    // pipe() does not forward a read error (a file removed since stat): end the response.
    else createReadStream(file).on('error', () => res.destroy()).pipe(res);
    return true;
  }
  return false;
}

/** CORS for one request: the asking origin when trusted (`*`: any), nothing otherwise; the answer varies with Origin. */
function allowOrigin(origin: string | undefined, origins: readonly string[]): Record<string, string> {
  if (origins.includes('*')) return { 'access-control-allow-origin': '*' };
  if (origin !== undefined && origins.includes(origin)) return { 'access-control-allow-origin': origin, vary: 'Origin' };
  return { vary: 'Origin' };
}

/**
 * The demo pages' policy: this origin and the trusted ones. Left out: a wildcard (it
 * would open the policy to any host) and IPv6 literals, which CSP's host grammar cannot
 * express (Chromium warns on them and ignores them).
 */
function contentSecurityPolicy(origins: readonly string[]): string {
  const sources = ["'self'", ...origins.filter((origin) => origin !== '*' && !origin.includes('['))].join(' ');
  return `default-src 'self'; script-src ${sources}; style-src 'self'; img-src 'self' data:; connect-src ${sources}; object-src 'none'; base-uri 'none'; form-action 'self'`;
}

/** The request target's path, percent-decoded; undefined when it is not a URL path or not valid UTF-8 percent-encoding (`/%ZZ`, `//`). */
function decodedPath(target: string): string | undefined {
  try {
    return decodeURIComponent(new URL(target, 'http://x').pathname);
  } catch {
    return undefined;
  }
}
