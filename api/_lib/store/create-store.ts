import { Redis } from '@upstash/redis';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { SharedStore } from './shared-store.js';
import type { OnStoreDown } from './store-call.js';
import type { StoreConfig } from './store-config.js';

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

/**
 * The store for this instance. Create it once per instance (module scope), not per
 * request: the Redis store keeps its rate limiters and their caches.
 */
export function createStore(config: StoreConfig, options: { onDown?: OnStoreDown } = {}): SharedStore {
  if (config.kind === 'memory') return new MemoryStore();
  return new RedisStore({
    redis: createRedisClient(config),
    prefix: config.prefix,
    timeoutMs: config.timeoutMs,
    ...(options.onDown ? { onDown: options.onDown } : {}),
  });
}
