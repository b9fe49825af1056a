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
  /**
   * One timer for the whole stream, re-armed with `refresh()`: a new timer per window
   * (several a second) was garbage that lived a window long, long enough to be
   * promoted under load. A drain does not clear it; a fire with nothing armed is a no-op.
   */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armed = false;
  #soon = false;
  #disposed = false;
  /** Made once per stream: the callbacks of the window timer and of the end-of-burst microtask. */
  readonly #onTimer = (): void => {
    if (this.#armed) this.drain();
  };
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
    } else if (!this.#armed) {
      // A window from now, not from the last flush: at most one frame per window still,
      // and no text waits longer than a window.
      this.#armed = true;
      if (this.#timer) this.#timer.refresh();
      else this.#timer = setTimeout(this.#onTimer, this.#windowMs);
    }
  }

  drain(): void {
    this.#armed = false;
    this.#soon = false;
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    this.#lastFlush = performance.now();
    this.#target.flushText(text);
  }

  dispose(): void {
    this.#disposed = true;
    this.#armed = false;
    clearTimeout(this.#timer);
    this.#pending = '';
  }
}
