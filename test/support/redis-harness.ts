import { createRedisClient } from '../../api/_lib/store/redis-client.js';
import { RedisStore, type RedisStoreOptions } from '../../api/_lib/store/redis-store.js';
import type { StoreDownReport } from '../../api/_lib/store/store-call.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { startUpstashRest, type UpstashRest } from './upstash-rest.js';

/** A real redis-server behind the Upstash REST translator, and stores on it as production builds them. */
export interface RedisHarness {
  server: RedisServer;
  rest: UpstashRest;
  /**
   * A new store instance (its own `@upstash/redis` client, as a second function
   * instance would have). Stores made with the same `prefix` share their keys.
   */
  store(options?: { prefix?: string; timeoutMs?: number; url?: string } & Pick<RedisStoreOptions, 'eventLogBounds'>): RedisStore;
  /** Every store-down report of the harness's stores. */
  downReports: StoreDownReport[];
  stop(): Promise<void>;
}

let prefixes = 0;

/** A fresh key prefix, so tests on one Redis do not see each other's keys. */
export function uniquePrefix(): string {
  return `t${process.pid}-${++prefixes}`;
}

export async function startRedisHarness(): Promise<RedisHarness> {
  const server = await startRedisServer();
  const rest = await startUpstashRest({ redisPort: server.port });
  const downReports: StoreDownReport[] = [];
  return {
    server,
    rest,
    downReports,
    store(options = {}) {
      // Generous: on a loaded 2-core machine one local HTTP round trip can take a few hundred ms.
      const timeoutMs = options.timeoutMs ?? 3000;
      return new RedisStore({
        redis: createRedisClient({ url: options.url ?? rest.url, token: rest.token, timeoutMs }),
        prefix: options.prefix ?? uniquePrefix(),
        timeoutMs,
        onDown: (report) => downReports.push(report),
        ...(options.eventLogBounds ? { eventLogBounds: options.eventLogBounds } : {}),
      });
    },
    async stop() {
      await rest.close();
      await server.stop();
    },
  };
}

/** Reads until `accept` holds (an observable outcome), failing after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 5_000): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
