import type { ErrorCode } from './shared/protocol.js';

/**
 * Codes the client adds to the server's own: failures the server never got to name.
 * - `network_error`: the request never got an answer (offline, DNS, connection refused).
 * - `http_error`: an HTTP error whose body was not the protocol's JSON error.
 * - `stream_interrupted`: the connection dropped after the stream started and could not be resumed.
 * - `protocol_error`: the server sent something that is not the protocol (not SSE, bad JSON).
 */
export type ClientErrorCode = 'network_error' | 'http_error' | 'stream_interrupted' | 'protocol_error';

/** Every code a {@link StreamError} can carry. */
export type StreamErrorCode = ErrorCode | ClientErrorCode;

/** What a caller may pass when building a {@link StreamError}. */
export interface StreamErrorInit {
  /** Whether sending the same request again may succeed. */
  retryable: boolean;
  /** The HTTP status when the error came as an HTTP response. */
  status?: number;
  /** How long the server asked us to wait (from `Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  /** For `schema_mismatch`: where the document broke the schema (JSON Pointer). */
  path?: string;
  cause?: unknown;
}

// A brand survives realms (iframes) and duplicated bundles where `instanceof` does not.
const brand = Symbol.for('ai-stream-chat.StreamError');

/**
 * Why a stream failed. `message` is safe to show to the user (the server writes it for
 * that purpose; client-side messages are ours).
 *
 * @example
 * try { for await (const event of stream) {} }
 * catch (error) { if (isStreamError(error) && error.code === 'cancelled') return; }
 */
export class StreamError extends Error {
  readonly code: StreamErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly path: string | undefined;
  readonly [brand] = true;

  constructor(code: StreamErrorCode, message: string, init: StreamErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'StreamError';
    this.code = code;
    this.retryable = init.retryable;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.path = init.path;
  }
}

/** True for a {@link StreamError} from any copy of this library. */
export function isStreamError(value: unknown): value is StreamError {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
}

/** The error a cancelled stream ends with. Never retried by the client. */
export function cancelledError(): StreamError {
  return new StreamError('cancelled', 'The answer was cancelled.', { retryable: true });
}
