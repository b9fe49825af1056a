import { StreamError } from './stream-error.js';

const EXPOSED = 'X-Stream-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset';

/**
 * The CORS headers for a request, or a 403 StreamError when its origin is not on the
 * allowlist. Requests without an Origin header (server to server) and same-origin
 * requests need no entry.
 */
export function corsHeaders(request: Request, allowedOrigins: readonly string[]): Headers {
  const headers = new Headers();
  const origin = request.headers.get('origin');
  if (origin === null) return headers;
  const self = new URL(request.url).origin;
  const allowed = origin === self || allowedOrigins.includes('*') || allowedOrigins.includes(origin);
  if (!allowed) {
    throw new StreamError('origin_not_allowed', 'This origin may not call the chat API.', { status: 403 });
  }
  headers.set('access-control-allow-origin', origin);
  headers.set('access-control-expose-headers', EXPOSED);
  headers.append('vary', 'Origin');
  return headers;
}

/** Answer to a CORS preflight from an allowed origin. */
export function preflightResponse(cors: Headers): Response {
  const headers = new Headers(cors);
  headers.set('access-control-allow-methods', 'POST, GET, DELETE, OPTIONS');
  headers.set('access-control-allow-headers', 'content-type, last-event-id');
  headers.set('access-control-max-age', '600');
  return new Response(null, { status: 204, headers });
}
