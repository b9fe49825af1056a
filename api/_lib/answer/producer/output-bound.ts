import { completionTokenBound } from '../../counting/completion-counter.js';

/**
 * The output an answer may make: past `maxTokens` by more than the margin (our count)
 * the upstream ignores `max_tokens`, and the answer is ended there with `length`. A
 * burst faster than the coalescing window is counted every so many characters, so such
 * an upstream is caught within a few hundred of them.
 */
export class OutputBound {
  /** Output past this many tokens (our count) passes the bound. */
  readonly tokens: number;
  readonly #maxTokens: number;
  /** Text characters received, and the count at which they are next counted whatever the coalescer does. */
  #textChars = 0;
  #nextCountAt: number;
  #passed = false;

  constructor(maxTokens: number) {
    this.#maxTokens = maxTokens;
    this.tokens = completionTokenBound(maxTokens);
    this.#nextCountAt = countStep(this.tokens);
  }

  /** True once the output passed the bound (the upstream was aborted). */
  get passed(): boolean {
    return this.#passed;
  }

  /** Adds received text; true when the text held back must be counted now. */
  addText(chars: number): boolean {
    this.#textChars += chars;
    if (this.#textChars < this.#nextCountAt) return false;
    this.#nextCountAt = this.#textChars + countStep(this.tokens);
    return true;
  }

  /** Whether `estimate` tokens of output pass the bound for the first time. */
  passedBy(estimate: number): boolean {
    return !this.#passed && estimate > this.tokens;
  }

  markPassed(): void {
    this.#passed = true;
  }

  /** The log's `stoppedAt` field, once the bound was passed. */
  logFields(): { stoppedAt?: string } {
    return this.#passed ? { stoppedAt: `output past ${this.tokens} tokens (maxTokens ${this.#maxTokens})` } : {};
  }
}

/**
 * Characters between forced counts: the bound (a token is rarely shorter than a
 * character, so less text cannot pass it), and at least 64. Ordinary answers, whose
 * coalescer flushes more often than that, never see a forced count.
 */
function countStep(tokenBound: number): number {
  return Math.max(64, tokenBound);
}
