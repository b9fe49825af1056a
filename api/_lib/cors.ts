import { StreamError } from './stream-error.js';

const EXPOSED = 'X-Stream-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset';

/** Response headers as a plain record (lower-case names): cheaper per request than `Headers`. */
export type HeaderRecord = Record<string, string>;

/**
 * The CORS headers for a request, or a 403 StreamError when its origin is not on the
 * allowlist. Requests without an Origin header (server to server) and same-origin
 * requests need no entry.
 */
export function corsHeaders(request: Request, allowedOrigins: readonly string[]): HeaderRecord {
  const origin = request.headers.get('origin');
  if (origin === null) return {};
  const self = new URL(request.url).origin;
  const allowed = origin === self || allowedOrigins.includes('*') || allowedOrigins.includes(origin);
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
