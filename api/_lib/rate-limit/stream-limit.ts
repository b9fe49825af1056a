import type { SharedStore } from '../store/shared-store.js';
import type { StoreDownPolicy } from './rate-limit-config.js';
import { decide, type RateLimitDecision } from './rate-limit-decision.js';

/**
 * How long a slot is held at most, so an instance that crashed mid-stream cannot
 * hold it for ever. Longer than any stream may run (Vercel's longest `maxDuration`
 * is 800 s); acquiring the same slot again renews it.
 */
export const STREAM_SLOT_TTL_MS = 15 * 60_000;

/** When one of a client's streams will end is unknown: a refused client is asked to try again after this. */
const STREAM_RETRY_MS = 2_000;

/** `AI_STREAM_RATE_STREAMS`: streams open at once per client, across instances. */
export class StreamLimit {
  constructor(
    readonly store: SharedStore,
    readonly max: number,
    readonly policy: StoreDownPolicy,
    readonly slotTtlMs: number = STREAM_SLOT_TTL_MS,
  ) {}

  /** Takes a slot for `streamId`; refused when the client already has `max` open. One store call. */
  async acquire(client: string, streamId: string): Promise<RateLimitDecision> {
    const result = await this.store.acquireSlot(`streams:${client}`, streamId, this.max, this.slotTtlMs);
    const reset = Date.now() + STREAM_RETRY_MS;
    const counted = result.ok
      ? { ok: true as const, value: { success: result.value.acquired, remaining: Math.max(0, this.max - result.value.held), reset } }
      : result;
    return decide(counted, 'streams', this.max, this.policy);
  }

  /** Gives the slot back when the stream ends, however it ends. */
  async release(client: string, streamId: string): Promise<void> {
    // A release lost to a down store is recovered by the slot's expiry.
    await this.store.releaseSlot(`streams:${client}`, streamId);
  }
}
