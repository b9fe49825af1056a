import type { ErrorCode } from './shared/protocol.js';
import { isRetryableStatus, parseRetryAfter } from './retry-timing.js';
import { StreamError } from './stream-error.js';
import { strings } from './strings.js';

/**
 * Turns an HTTP error response into a {@link StreamError}: the protocol's
 * `{"error":{"code","message"}}` body when there is one (its message is written to be
 * shown), otherwise a generic `http_error` that names the status.
 */
export async function errorFromResponse(response: Response): Promise<StreamError> {
  const retryAfterMs = parseRetryAfter(response.headers.get('Retry-After'));
  const init = {
    status: response.status,
    retryable: isRetryableStatus(response.status),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
  const body = await readErrorBody(response);
  if (body) return new StreamError(body.code, body.message, init);
  return new StreamError('http_error', strings.httpError(`${response.status}${response.statusText ? ` ${response.statusText}` : ''}`), init);
}

async function readErrorBody(response: Response): Promise<{ code: ErrorCode; message: string } | undefined> {
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    return undefined;
  }
  const error = typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  // The code comes from our own server; an unknown one still carries a readable message.
  return { code: code as ErrorCode, message };
}
