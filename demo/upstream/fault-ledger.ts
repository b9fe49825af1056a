import type { FaultDirective, FaultName } from './directives.js';

/** Conversations remembered at most; the oldest are forgotten first. */
const MAX_CONVERSATIONS = 10_000;

/**
 * Counts attempts per conversation so `[[fault:NAME:N]]` faults the first N attempts
 * and then lets the request through, which is what a retry test needs.
 * One ledger per server, so tests never see each other's counts.
 */
export class FaultLedger {
  readonly #attempts = new Map<string, number>();

  /**
   * Records one attempt of the conversation `key` and says which fault, if any,
   * this attempt gets.
   */
  take(fault: FaultDirective | undefined, key: string): FaultName | undefined {
    if (fault === undefined) return undefined;
    if (fault.attempts === undefined) return fault.name;
    const attempt = (this.#attempts.get(key) ?? 0) + 1;
    this.#attempts.delete(key);
    this.#attempts.set(key, attempt);
    if (this.#attempts.size > MAX_CONVERSATIONS) {
      const oldest = this.#attempts.keys().next();
      if (!oldest.done) this.#attempts.delete(oldest.value);
    }
    return attempt <= fault.attempts ? fault.name : undefined;
  }
}
