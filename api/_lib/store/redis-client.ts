import { Redis } from '@upstash/redis';

/**
 * One failed fetch is tried once more after 25 ms; the client's default (5 retries,
 * `exp(i) × 50` ms apart) would make one call to a down store last about 4 s.
 */
export const REDIS_RETRY = { retries: 1, backoff: () => 25 } as const;

/**
 * The Upstash client as the store uses it: each request aborted at the store's
 * bound, few retries, values returned as stored (no JSON parsing of frames).
 */
export function createRedisClient(config: { url: string; token: string; timeoutMs: number }): Redis {
  return new Redis({
    url: config.url,
    token: config.token,
    retry: REDIS_RETRY,
    // A function, so each request gets a fresh deadline (a shared signal would abort every later call).
    signal: () => AbortSignal.timeout(config.timeoutMs),
    automaticDeserialization: false,
    enableTelemetry: false,
  });
}
