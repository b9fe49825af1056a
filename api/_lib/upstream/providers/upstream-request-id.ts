import type { HeaderReader } from './provider-adapter.js';

/** Response headers in which providers name their request id, most common first. */
const REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'x-amzn-requestid', 'cf-ray'] as const;

/** What a request id may look like; anything else is not logged. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The provider's id for one request (`x-request-id` at OpenAI, `request-id` at
 * Anthropic…), the one thing its support needs to find a failure: logged instead of
 * the response body. Undefined when absent or not shaped like an id.
 */
export function upstreamRequestId(headers: HeaderReader): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name)?.trim();
    if (value) return REQUEST_ID.test(value) ? value : undefined;
  }
  return undefined;
}

/** A short token from a provider's error (`type`, `code`) that is safe to log; else undefined. */
export function errorToken(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && /^[\w.:-]{1,64}$/.test(value) ? value : undefined;
}
