/**
 * When to try the upstream again and how long to wait. Only failures before any
 * token reached the client come here; an abort is never retried.
 */

export { isRetryableStatus, retryAfterMs } from '../../../widget/shared/retry-after.js';

/**
 * Exponential backoff with jitter: base, 2×base, 4×base… each reduced by up to 25%
 * at random so that many clients failing together do not retry together.
 */
export function backoffDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  return baseMs * 2 ** (attempt - 1) * (1 - random() * 0.25);
}
