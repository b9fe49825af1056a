/**
 * The sliding-window arithmetic of `@upstash/ratelimit` (`slidingWindow`): a counter
 * per fixed window, and the previous window's count weighted by how much of it still
 * overlaps the sliding window. The memory store uses these functions; the Redis
 * store's Lua scripts (`redis-scripts.ts`) do the same sums, so both stores admit
 * the same requests.
 */

/** The fixed window `now` falls in. */
export function windowBucket(now: number, windowMs: number): number {
  return Math.floor(now / windowMs);
}

/** When the window `now` falls in ends (Unix ms). */
export function windowEnd(now: number, windowMs: number): number {
  return (windowBucket(now, windowMs) + 1) * windowMs;
}

/** The part of the previous window's count that still counts at `now` (rounded down, as upstream does). */
export function weightedPrevious(previous: number, now: number, windowMs: number): number {
  return Math.floor((1 - (now % windowMs) / windowMs) * previous);
}

/** How long a window's counter must live to be read as "previous" by the next window. */
export function counterTtl(windowMs: number): number {
  return windowMs * 2 + 1000;
}
