import type { SharedStore } from '../store/shared-store.js';
import type { RateLimitConfig } from './rate-limit-config.js';
import { RequestLimit } from './request-limit.js';
import { StreamLimit } from './stream-limit.js';
import { TokenBudget } from './token-budget.js';

/** The limits that are on; a limit whose variable is unset is absent. */
export interface RateLimits {
  requests?: RequestLimit;
  streams?: StreamLimit;
  tokens?: TokenBudget;
}

/**
 * The configured limits over one store. Create once per instance, next to the store.
 *
 * @example
 * const limits = createRateLimits(store, loadRateLimitConfig());
 * const decision = await limits.requests?.check(client);
 * if (decision && !decision.success) return rateLimitResponse(decision);
 */
export function createRateLimits(store: SharedStore, config: RateLimitConfig): RateLimits {
  const limits: RateLimits = {};
  if (config.requests) limits.requests = new RequestLimit(store, config.requests, config.onStoreDown);
  if (config.streams) limits.streams = new StreamLimit(store, config.streams, config.onStoreDown);
  if (config.tokens) limits.tokens = new TokenBudget(store, config.tokens, config.onStoreDown);
  return limits;
}
