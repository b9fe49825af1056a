import type { WithHeaders } from '../http/incoming-call.js';
import type { MetricsSnapshot } from './stream-metrics.js';
import { StreamError } from '../stream-error.js';

/**
 * `GET /api/chat/stream?status`: the instance's counters as JSON, for operators. Off
 * unless a token is configured, and then only for `Authorization: Bearer <token>`;
 * every other request gets the same 404 as a path that does not exist, so the
 * endpoint gives nothing away. Served by the stream function itself because the
 * counters live in its instance: a separate function would count nothing.
 */
export async function statusResponse(request: WithHeaders, token: string | undefined, snapshot: () => MetricsSnapshot): Promise<Response> {
  const presented = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (token === undefined || presented === undefined || !(await sameSecret(presented, token))) {
    throw new StreamError('not_found', 'Not found.', { status: 404 });
  }
  return new Response(JSON.stringify(snapshot()), {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/**
 * Compares two secrets in time independent of where they differ: both are hashed
 * first (equal lengths, and the hash hides the token's length), then every byte is
 * compared. Web Crypto, so it runs wherever the handler does.
 */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const encode = (s: string) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  const [x, y] = await Promise.all([encode(a), encode(b)]);
  const left = new Uint8Array(x);
  const right = new Uint8Array(y);
  let diff = 0;
  for (let i = 0; i < left.length; i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}
