// Background tabs get no animation frames; the timer makes sure text still lands.
const fallbackMs = 100;

/**
 * Coalesces many `schedule()` calls into one `flush` per animation frame, so a burst of
 * tokens costs one DOM update, not one per token.
 */
export class FrameBatcher {
  readonly #flush: () => void;
  #frame: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(flush: () => void) {
    this.#flush = flush;
  }

  /** Asks for a flush before the next paint. */
  schedule(): void {
    if (this.#frame !== undefined) return;
    this.#frame = requestAnimationFrame(() => this.flushNow());
    this.#timer = setTimeout(() => this.flushNow(), fallbackMs);
  }

  /** Flushes at once (the stream ended, or is about to be replaced). */
  flushNow(): void {
    this.cancel();
    this.#flush();
  }

  /** Drops a scheduled flush. */
  cancel(): void {
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    clearTimeout(this.#timer);
    this.#frame = undefined;
    this.#timer = undefined;
  }
}
