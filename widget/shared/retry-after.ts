/**
 * Reading a server's wish about when to try again, shared by the stream client (our
 * server's 429) and the server core (a provider's 429), so both read it the same way.
 */

/** HTTP statuses worth another try, as the official OpenAI and Anthropic SDKs decide (plus 425 Too Early). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/**
 * Milliseconds to wait from `retry-after-ms` (OpenAI's, milliseconds) or `Retry-After`
 * (seconds or an HTTP date); `undefined` when absent or unreadable.
 */
export function retryAfterMs(headers: { get(name: string): string | null }, now: number = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  return parseRetryAfter(headers.get('retry-after'), now);
}

/** Reads a `Retry-After` value (seconds or an HTTP date) in milliseconds. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
