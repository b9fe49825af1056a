/** Pending text is flushed regardless of the window once it is this long. */
const MAX_PENDING_CHARS = 4_096;

/** Merges text deltas into fewer, larger `token` events. */
export interface TokenCoalescer {
  add(text: string): void;
  /** Flushes what is pending now (before any other event, so order is kept). */
  drain(): void;
  dispose(): void;
}

/** Where coalesced text goes. */
export interface CoalescerTarget {
  flushText(text: string): void;
}

/**
 * The first delta goes out at once (time to first token matters most), later ones at
 * most every `windowMs` or as soon as a newline arrives (a finished line is worth
 * painting). A newline or an elapsed window flushes at the end of the current burst
 * (a microtask later), so the many deltas of one network chunk become one frame.
 * `windowMs = 0` passes every delta. Fewer frames means fewer writes: the largest share
 * of a stream's CPU cost per token.
 */
export function createTokenCoalescer(windowMs: number, target: CoalescerTarget): TokenCoalescer {
  return new Coalescer(windowMs, target);
}

class Coalescer implements TokenCoalescer {
  readonly #windowMs: number;
  readonly #target: CoalescerTarget;
  #pending = '';
  #sentFirst = false;
  #lastFlush = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #soon = false;
  #disposed = false;
  /** Made once per stream: the callbacks of the window timer and of the end-of-burst microtask. */
  readonly #onTimer = (): void => this.drain();
  readonly #onBurstEnd = (): void => {
    if (this.#soon && !this.#disposed) this.drain();
  };

  constructor(windowMs: number, target: CoalescerTarget) {
    this.#windowMs = windowMs;
    this.#target = target;
  }

  add(text: string): void {
    this.#pending += text;
    const now = performance.now();
    if (!this.#sentFirst || this.#windowMs === 0 || this.#pending.length >= MAX_PENDING_CHARS) {
      this.#sentFirst = true;
      this.drain();
    } else if (now - this.#lastFlush >= this.#windowMs || text.includes('\n')) {
      if (!this.#soon) {
        this.#soon = true;
        queueMicrotask(this.#onBurstEnd);
      }
    } else if (!this.#timer) {
      this.#timer = setTimeout(this.#onTimer, this.#windowMs - (now - this.#lastFlush));
    }
  }

  drain(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#soon = false;
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    this.#lastFlush = performance.now();
    this.#target.flushText(text);
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = '';
  }
}
