import type { RateLimitKind } from '../../../widget/shared/protocol.js';
import type { StoreResult } from '../store/shared-store.js';
import type { StoreDownPolicy } from './rate-limit-config.js';

export type { RateLimitKind };

/** A limit's answer, as data: a refusal is not an exception. */
export interface RateLimitDecision {
  success: boolean;
  /** Which limit answered. */
  reason: RateLimitKind;
  limit: number;
  remaining: number;
  /** Unix time (ms) after which asking again can succeed. */
  reset: number;
  /** The sliding window of `requests` and `tokens` limits. */
  windowMs?: number;
  /** Present when the store was down and the policy decided instead of the counter. */
  storeDown?: true;
}

/** How long a client refused while the store is down is asked to wait. */
const STORE_DOWN_RETRY_MS = 1_000;

/**
 * Turns a store answer into a decision: the counter's verdict, or, when the store
 * is down, the configured policy's (open admits, closed refuses), marked `storeDown`.
 */
export function decide<T extends { success: boolean; remaining: number; reset: number }>(
  result: StoreResult<T>,
  reason: RateLimitKind,
  limit: number,
  policy: StoreDownPolicy,
  windowMs?: number,
): RateLimitDecision {
  const window = windowMs === undefined ? {} : { windowMs };
  if (result.ok) {
    const { success, remaining, reset } = result.value;
    return { success, reason, limit, remaining, reset, ...window };
  }
  return { success: policy === 'open', reason, limit, remaining: 0, reset: Date.now() + STORE_DOWN_RETRY_MS, ...window, storeDown: true };
}
