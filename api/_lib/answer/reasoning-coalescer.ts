import { createTokenCoalescer, type TokenCoalescer } from './token-coalescer.js';

/** Where coalesced reasoning goes. */
export interface ReasoningTarget {
  flushReasoning(text: string): void;
}

/**
 * Merges reasoning deltas into fewer `reasoning` events, by the same rules as answer
 * text (token-coalescer.ts) but in a coalescer of its own, so that a flush never mixes
 * the two. The answer makes one at its first reasoning delta: a stream without
 * reasoning pays nothing for it.
 */
export function createReasoningCoalescer(windowMs: number, target: ReasoningTarget): TokenCoalescer {
  return createTokenCoalescer(windowMs, { flushText: (text) => target.flushReasoning(text) });
}
