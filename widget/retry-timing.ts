/** How the client spaces its attempts when a request fails before the stream starts. */
export interface RetryPolicy {
  /** Attempts after the first. @default 3 */
  retries: number;
  /** First backoff delay; each next one doubles (1 s, 2 s, 4 s). @default 1000 */
  baseDelayMs: number;
  /** No backoff delay is longer than this. @default 8000 */
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error goes to the user. @default 20000 */
  maxRetryAfterMs: number;
  /** Fraction of each delay that is random, so many clients do not retry in step. @default 0.2 */
  jitter: number;
}

/** The defaults of {@link RetryPolicy}. */
export const defaultRetryPolicy: RetryPolicy = {
  retries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  maxRetryAfterMs: 20_000,
  jitter: 0.2,
};

export { isRetryableStatus, parseRetryAfter } from './shared/retry-after.js';

/**
 * The delay before retry number `attempt` (1-based): exponential with jitter, or the
 * server's `Retry-After` when it gave one.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const spread = exponential * policy.jitter;
  return Math.round(exponential - spread + random() * 2 * spread);
}
