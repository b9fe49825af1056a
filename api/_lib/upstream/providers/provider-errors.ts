import { StreamError } from '../../stream-error.js';
import { isRetryableStatus, retryAfterMs } from '../retry.js';
import type { HeaderReader } from './provider-adapter.js';
import { parseObject, word } from './provider-json.js';

/** What a provider's error body says, in the few fields worth logging: never its free text. */
export interface ProviderErrorInfo {
  /** The provider's error type or status word (`rate_limit_error`, `RESOURCE_EXHAUSTED`…). */
  type?: string | undefined;
  code?: string | number | undefined;
  /** A wait the body asks for (Gemini's `RetryInfo.retryDelay`), when headers say none. */
  retryAfterMs?: number | undefined;
}

/** Headers that carry a provider's request id, for the log line an operator quotes to support. */
const REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'x-goog-request-id', 'openai-request-id'];

/**
 * A non-2xx upstream answer as an error whose message is safe to show. The log detail
 * holds the status, the provider's error type and code and its request id, never the
 * body: a proxy that echoes the request would put the key and the prompt in it.
 */
export function upstreamHttpError(status: number, headers: HeaderReader, info: ProviderErrorInfo = {}): StreamError {
  const after = retryAfterMs(headers) ?? info.retryAfterMs;
  const requestId = REQUEST_ID_HEADERS.map((name) => headers.get(name)).find((v) => v !== null);
  const detail = [`upstream ${status}`, info.type, info.code === undefined ? undefined : `code ${String(info.code)}`, requestId ? `request ${requestId}` : undefined]
    .filter(Boolean)
    .join(' ')
    .slice(0, 300);
  const init = { retryable: isRetryableStatus(status), detail, ...(after === undefined ? {} : { retryAfterMs: after }) };
  if (status === 429) return new StreamError('upstream_rate_limited', 'The model provider is rate limiting requests. Try again shortly.', { ...init, status: 503 });
  if (status === 401 || status === 403) return new StreamError('upstream_error', 'The server could not authenticate with the model provider.', { ...init, status: 502 });
  if (status === 404) return new StreamError('upstream_error', 'The model provider does not know this model.', { ...init, status: 502 });
  if (status === 400 || status === 422) return new StreamError('upstream_error', 'The model provider rejected the request.', { ...init, status: 502 });
  return new StreamError('upstream_unavailable', `The model provider failed (HTTP ${status}).`, { ...init, status: 502 });
}

/** An error the provider reported inside a 200 stream; `retryable` when nothing reached the client yet is worth another try. */
export function streamedError(info: ProviderErrorInfo, retryable: boolean): StreamError {
  const detail = ['streamed error', info.type, info.code === undefined ? undefined : `code ${String(info.code)}`].filter(Boolean).join(' ');
  return new StreamError('upstream_error', 'The model provider reported an error while answering.', { status: 502, retryable, detail });
}

/** A stream message that is not what the provider's format promises. */
export function malformedStream(what: string): StreamError {
  return new StreamError('upstream_error', 'The model provider sent a malformed stream.', { status: 502, retryable: true, detail: what });
}

/** The `type`/`code` words of an error body (`{error: {type, code, status}}` or flat), for the log. */
export function errorInfoOf(body: string): ProviderErrorInfo {
  const parsed = parseObject(body);
  const error = parsed && typeof parsed.error === 'object' && parsed.error !== null ? (parsed.error as Record<string, unknown>) : parsed;
  if (!error) return {};
  return { type: word(error.type) ?? word(error.status), code: word(error.code) ?? (typeof error.code === 'number' ? error.code : undefined) };
}
