import { MemoryStore } from './memory-store.js';
import { LazyStore } from './lazy-store.js';
import type { SharedStore } from './shared-store.js';
import type { OnStoreDown } from './store-call.js';
import type { StoreConfig } from './store-config.js';

/**
 * The store for this instance. Create it once per instance (module scope), not per
 * request: the Redis store keeps its rate limiters and their caches.
 */
export function createStore(config: StoreConfig, options: { onDown?: OnStoreDown } = {}): SharedStore {
  if (config.kind === 'memory') return new MemoryStore();
  // The Upstash packages load with the first call (see LazyStore).
  return new LazyStore(async () => {
    const [{ createRedisClient }, { RedisStore }] = await Promise.all([import('./redis-client.js'), import('./redis-store.js')]);
    return new RedisStore({
      redis: createRedisClient(config),
      prefix: config.prefix,
      timeoutMs: config.timeoutMs,
      ...(options.onDown ? { onDown: options.onDown } : {}),
    });
  });
}
