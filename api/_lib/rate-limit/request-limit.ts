import type { SharedStore } from '../store/shared-store.js';
import type { StoreDownPolicy, WindowLimit } from './rate-limit-config.js';
import { decide, type RateLimitDecision } from './rate-limit-decision.js';

/** `AI_STREAM_RATE_REQUESTS`: requests per client per sliding window. */
export class RequestLimit {
  constructor(
    readonly store: SharedStore,
    readonly window: WindowLimit,
    readonly policy: StoreDownPolicy,
  ) {}

  /** Counts one request of `client`; refused once its window is full. One store call. */
  async check(client: string): Promise<RateLimitDecision> {
    const { limit, windowMs } = this.window;
    return decide(await this.store.hitWindow(`requests:${client}`, limit, windowMs), 'requests', limit, this.policy, windowMs);
  }
}
