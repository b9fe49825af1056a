/** An answer's times for the log: its start, its first token, its first reasoning. */
export class AnswerTiming {
  readonly startedAt = performance.now();
  #firstTokenAt: number | undefined;
  #firstReasoningAt: number | undefined;

  /** Marks a token; the time to it (ms, rounded) when it was the first, else undefined. */
  token(): number | undefined {
    if (this.#firstTokenAt !== undefined) return undefined;
    this.#firstTokenAt = performance.now();
    return Math.round(this.#firstTokenAt - this.startedAt);
  }

  /** Marks reasoning (not a token: ttftMs stays the wait for the answer itself, docs/protocol.md). */
  reasoning(): void {
    this.#firstReasoningAt ??= performance.now();
  }

  /** Whether any output (text or reasoning) came. */
  get hadOutput(): boolean {
    return this.#firstTokenAt !== undefined || this.#firstReasoningAt !== undefined;
  }

  /** Time to the first token, for the log, when there was one. */
  ttft(): { ttftMs?: number } {
    return this.#firstTokenAt === undefined ? {} : { ttftMs: Math.round(this.#firstTokenAt - this.startedAt) };
  }

  /** Time to the first reasoning, for the log, when there was any. */
  ttfr(): { ttfrMs?: number } {
    return this.#firstReasoningAt === undefined ? {} : { ttfrMs: Math.round(this.#firstReasoningAt - this.startedAt) };
  }
}
