import { loadClientIdentityConfig } from '../request/client-identity.js';
import type { StreamHandlerDeps } from '../handler.js';
import { loadRateLimitConfig } from '../rate-limit/rate-limit-config.js';
import { createStore } from './create-store.js';
import { loadStoreConfig } from './store-config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The handler's shared-state dependencies, as the environment configures them. */
export type SharedStateDeps = Required<Pick<StreamHandlerDeps, 'store' | 'rateLimits' | 'clientIdentity'>>;

/**
 * The store, the rate limits and the client-identity rules from the environment
 * (docs/shared-state.md). Call once per instance, at module scope: the store keeps its
 * connections and its rate limiters' caches. Throws a ConfigError naming the variable
 * when a value is malformed.
 *
 * @example const handler = createStreamHandler(loadConfig(), loadSharedState());
 */
export function loadSharedState(env: Env = process.env): SharedStateDeps {
  return {
    store: createStore(loadStoreConfig(env)),
    rateLimits: loadRateLimitConfig(env),
    clientIdentity: loadClientIdentityConfig(env),
  };
}
