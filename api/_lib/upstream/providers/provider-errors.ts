import { StreamError } from '../../stream-error.js';
import { isRetryableStatus, retryAfterMs } from '../retry.js';
import type { HeaderReader } from './provider-adapter.js';
import { object, parseObject } from './provider-json.js';
import { errorToken, upstreamRequestId } from './upstream-request-id.js';

/** What a provider's error body says, in the few fields worth logging: never its free text. */
export interface ProviderErrorInfo {
  /** The provider's error type or status word (`rate_limit_error`, `RESOURCE_EXHAUSTED`…). */
  type?: string | undefined;
  code?: string | undefined;
  /** A wait the body asks for (Gemini's `RetryInfo.retryDelay`), when headers say none. */
  retryAfterMs?: number | undefined;
}

/**
 * A non-2xx upstream answer as an error whose message is safe to show. The log detail
 * holds the status, the provider's error type and code and its request id, never the
 * body: a proxy that echoes the request would put the key and the prompt in it.
 * `info` is undefined when the body held no error object.
 */
export function upstreamHttpError(status: number, headers: HeaderReader, info: ProviderErrorInfo | undefined): StreamError {
  const after = retryAfterMs(headers) ?? info?.retryAfterMs;
  const id = upstreamRequestId(headers);
  const detail = `upstream ${status}${describe(info)}${id ? ` (request ${id})` : ''}`;
  const init = { retryable: isRetryableStatus(status), detail, ...(after === undefined ? {} : { retryAfterMs: after }) };
  if (status === 429) return new StreamError('upstream_rate_limited', 'The model provider is rate limiting requests. Try again shortly.', { ...init, status: 503 });
  if (status === 401 || status === 403) return new StreamError('upstream_error', 'The server could not authenticate with the model provider.', { ...init, status: 502 });
  if (status === 404) return new StreamError('upstream_error', 'The model provider does not know this model.', { ...init, status: 502 });
  if (status === 400 || status === 422) return new StreamError('upstream_error', 'The model provider rejected the request.', { ...init, status: 502 });
  return new StreamError('upstream_unavailable', `The model provider failed (HTTP ${status}).`, { ...init, status: 502 });
}

/** An error the provider reported inside a 200 stream; `retryable` when nothing reached the client yet is worth another try. */
export function streamedError(info: ProviderErrorInfo | undefined, retryable: boolean): StreamError {
  return new StreamError('upstream_error', 'The model provider reported an error while answering.', { status: 502, retryable, detail: `streamed error${describe(info)}` });
}

/** ` type/code` of a provider error, each only when shaped like a token; never its message. */
function describe(info: ProviderErrorInfo | undefined): string {
  if (!info) return ' (no error object)';
  return ` ${info.type ?? '-'}/${info.code ?? '-'}`;
}

/** A stream message that is not what the provider's format promises. */
export function malformedStream(what: string): StreamError {
  return new StreamError('upstream_error', 'The model provider sent a malformed stream.', { status: 502, retryable: true, detail: what });
}

/**
 * The `type`/`code` tokens of an error (`{error: {type, code, status}}` or flat), for the
 * log; undefined when `body` is not a JSON object.
 */
export function errorInfoOf(body: string): ProviderErrorInfo | undefined {
  const parsed = parseObject(body);
  return parsed && errorInfoOfObject(object(parsed.error) ?? parsed);
}

/** {@link errorInfoOf} for an error object already parsed. */
export function errorInfoOfObject(error: Record<string, unknown>): ProviderErrorInfo {
  return { type: errorToken(error.type) ?? errorToken(error.status), code: errorToken(error.code) };
}
