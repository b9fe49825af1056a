import { randomBytes } from 'node:crypto';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Anthropic's HTTP surface apart from the stream: the `request-id` header, the error
 * body `{"type":"error","error":{"type","message"},"request_id"}` and the errors the
 * local upstream answers with, in the real API's wording.
 */

/** An Anthropic error type (`overloaded_error`, `rate_limit_error`, …). */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

/** A complete error answer. */
export interface AnthropicErrorResponse {
  status: number;
  type: AnthropicErrorType;
  message: string;
  headers?: OutgoingHttpHeaders;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base62 text, as Anthropic's ids use after their prefix. */
export function randomBase62(length: number): string {
  return Array.from(randomBytes(length), (byte) => BASE62[byte % BASE62.length]).join('');
}

/** A new `request-id`, `req_011C…` as the real API sends. */
export function newAnthropicRequestId(): string {
  return `req_011C${randomBase62(20)}`;
}

/** The errors the route sends, by cause. */
export const anthropicErrors = {
  invalid: (message: string): AnthropicErrorResponse => ({ status: 400, type: 'invalid_request_error', message }),
  missingKey: (): AnthropicErrorResponse => ({ status: 401, type: 'authentication_error', message: 'x-api-key header is required' }),
  rateLimited: (): AnthropicErrorResponse => ({
    status: 429,
    type: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your per-minute rate limit (local upstream fault "429").',
    headers: { 'retry-after': '1', 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '0' },
  }),
  /** 500 and any other server-side status; 529 is Anthropic's "overloaded". */
  server: (status: number): AnthropicErrorResponse =>
    status === 529
      ? { status, type: 'overloaded_error', message: 'Overloaded' }
      : { status, type: 'api_error', message: 'Internal server error' },
} as const;

/** The body of an error answer or an `error` event's data. */
export function anthropicErrorBody(type: AnthropicErrorType, message: string, requestId: string): string {
  return JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId });
}

/** The headers on every answer (beside content-type). */
export function anthropicHeaders(requestId: string, contentType: string): OutgoingHttpHeaders {
  return {
    'content-type': contentType,
    'request-id': requestId,
    'anthropic-organization-id': '7c1e0b4a-5f2d-4c3e-9a61-0c0a1b2c3d4e',
    via: '1.1 google',
  };
}

/** Sends an error answer before any byte of a stream. */
export function sendAnthropicError(res: ServerResponse, error: AnthropicErrorResponse, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(error.status, { ...anthropicHeaders(requestId, 'application/json'), ...error.headers });
  res.end(anthropicErrorBody(error.type, error.message, requestId));
}
