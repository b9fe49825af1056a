import type { WithHeaders } from '../http/incoming-call.js';
import { StreamError } from '../stream-error.js';

const EXPOSED = 'X-Stream-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset';

/** Response headers as a plain record (lower-case names): cheaper per request than `Headers`. */
export type HeaderRecord = Record<string, string>;

/** Who may call from a browser: the server's own origins and the operator's allowlist. */
export interface CorsPolicy {
  /** Origins allowed to call from a browser; `*` allows any. */
  readonly allowedOrigins: readonly string[];
  /** The server's own origins, from configuration or code: never derived from the request. */
  readonly ownOrigins: readonly string[];
}

/**
 * The CORS headers for a request, or a 403 StreamError when its origin is neither one
 * of the server's own nor on the allowlist. Requests without an Origin header (server
 * to server) need no entry. Same-origin is not decided by comparing Origin with the
 * request's URL: that URL comes from the Host header, and after DNS rebinding a page
 * on `evil.example` sends Origin and Host both `evil.example` to a local server.
 */
export function corsHeaders(request: WithHeaders, policy: CorsPolicy): HeaderRecord {
  const origin = request.headers.get('origin');
  if (origin === null) return {};
  const { allowedOrigins, ownOrigins } = policy;
  const allowed = ownOrigins.includes(origin) || allowedOrigins.includes('*') || allowedOrigins.includes(origin);
  if (!allowed) {
    throw new StreamError('origin_not_allowed', 'This origin may not call the chat API.', { status: 403 });
  }
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED, vary: 'Origin' };
}

/** Answer to a CORS preflight from an allowed origin. */
export function preflightResponse(cors: HeaderRecord): Response {
  const headers: HeaderRecord = {
    ...cors,
    'access-control-allow-methods': 'POST, GET, DELETE, OPTIONS',
    'access-control-allow-headers': 'content-type, last-event-id',
    'access-control-max-age': '600',
  };
  return new Response(null, { status: 204, headers });
}
