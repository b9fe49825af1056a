/**
 * When to try the upstream again and how long to wait. Only failures before any
 * token reached the client come here; an abort is never retried.
 */

/** HTTP statuses worth another attempt, as the official OpenAI and Anthropic SDKs decide. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * The upstream's own wish, from `retry-after-ms` (milliseconds, OpenAI) or
 * `retry-after` (seconds or an HTTP date). Undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && /^\s*[\d.]+\s*$/.test(value)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/**
 * Exponential backoff with jitter: base, 2×base, 4×base… each reduced by up to 25%
 * at random so that many clients failing together do not retry together.
 */
export function backoffDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  return baseMs * 2 ** (attempt - 1) * (1 - random() * 0.25);
}

/** Resolves after `ms`, or rejects at once with the signal's reason when it aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
