import type { ErrorBody, ErrorCode } from '../../widget/shared/protocol.js';

const brand = Symbol.for('ai-stream-chat.StreamError');

/** Fields a caller needs to decide what to do with a failure. */
export interface StreamErrorInit {
  /** HTTP status when the failure happens before the stream starts. */
  status?: number;
  retryable?: boolean;
  /** The upstream's own wish (Retry-After), when it said one. */
  retryAfterMs?: number;
  /** Server-side detail for the log only: never sent to the browser. */
  detail?: string;
  /** For schema mismatches: the JSON Pointer of the offending value. */
  path?: string;
  cause?: unknown;
}

/**
 * The one error class of the server core. `message` is always safe to show a user;
 * upstream bodies and stack traces go in `detail`, which only the log sees.
 */
export class StreamError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly detail: string | undefined;
  readonly path: string | undefined;
  readonly [brand] = true;

  constructor(code: ErrorCode, message: string, init: StreamErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'StreamError';
    this.code = code;
    this.status = init.status ?? 500;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
    this.detail = init.detail;
    this.path = init.path;
  }

  /** Checks by brand, so errors from another copy of this module still count. */
  static is(value: unknown): value is StreamError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}

/** Any thrown value as a StreamError whose message is safe to show. */
export function toStreamError(value: unknown): StreamError {
  if (StreamError.is(value)) return value;
  const detail = value instanceof Error ? `${value.name}: ${value.message}` : String(value);
  return new StreamError('internal_error', 'The server hit an unexpected error.', { status: 500, detail, cause: value });
}

/** The JSON error response used for every failure before a stream starts. */
export function errorResponse(error: StreamError, headers: HeadersInit = {}): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  const h = new Headers(headers);
  h.set('content-type', 'application/json; charset=utf-8');
  h.set('cache-control', 'no-store');
  if (error.retryAfterMs !== undefined) h.set('retry-after', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
  return new Response(JSON.stringify(body), { status: error.status, headers: h });
}
