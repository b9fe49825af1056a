import type { SharedStore, StoreResult } from '../store/shared-store.js';
import type { StoreDownPolicy, WindowLimit } from './rate-limit-config.js';
import { decide, type RateLimitDecision } from './rate-limit-decision.js';

function wholeTokens(tokens: number): number {
  return Number.isFinite(tokens) ? Math.max(0, Math.ceil(tokens)) : 0;
}

/** What was reserved, and where: needed to settle with the real usage. */
export interface TokenReservation {
  amount: number;
  bucket: number;
}

/**
 * `AI_STREAM_RATE_TOKENS`: tokens per client per sliding window. A request reserves
 * its prompt tokens plus its `maxTokens` up front, atomically, so concurrent
 * requests cannot pass the budget together; at the end (done, error or cancel) it
 * settles with the real usage, returning what it did not use.
 */
export class TokenBudget {
  constructor(
    readonly store: SharedStore,
    readonly window: WindowLimit,
    readonly policy: StoreDownPolicy,
  ) {}

  /** Reserves `amount` tokens for `client`. One store call. */
  async reserve(client: string, tokens: number): Promise<{ decision: RateLimitDecision; reservation?: TokenReservation }> {
    const { limit, windowMs } = this.window;
    // Whole and never negative: a negative reservation would be a refund, a fraction an error reply from Redis.
    const amount = wholeTokens(tokens);
    const result = await this.store.reserveBudget(`tokens:${client}`, amount, limit, windowMs);
    const decision = decide(result, 'tokens', limit, this.policy, windowMs);
    const bucket = result.ok ? result.value.bucket : undefined;
    return bucket === undefined ? { decision } : { decision, reservation: { amount, bucket } };
  }

  /** Replaces the reservation by the tokens really used. One store call, none when they match. */
  async settle(client: string, reservation: TokenReservation, usedTokens: number): Promise<StoreResult<void>> {
    const delta = wholeTokens(usedTokens) - reservation.amount;
    if (delta === 0) return { ok: true, value: undefined };
    return this.store.settleBudget(`tokens:${client}`, reservation.bucket, delta);
  }
}
