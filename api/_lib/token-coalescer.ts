/** Pending text is flushed regardless of the window once it is this long. */
const MAX_PENDING_CHARS = 4_096;

/** Merges text deltas into fewer, larger `token` events. */
export interface TokenCoalescer {
  add(text: string): void;
  /** Flushes what is pending now (before any other event, so order is kept). */
  drain(): void;
  dispose(): void;
}

/**
 * The first delta goes out at once (time to first token matters most), later ones at
 * most every `windowMs` or as soon as a newline arrives (a finished line is worth
 * painting). A newline or an elapsed window flushes at the end of the current burst
 * (a microtask later), so the many deltas of one network chunk become one frame.
 * `windowMs = 0` passes every delta. Fewer frames means fewer writes: the largest share
 * of a stream's CPU cost per token.
 */
export function createTokenCoalescer(windowMs: number, flush: (text: string) => void): TokenCoalescer {
  let pending = '';
  let sentFirst = false;
  let lastFlush = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let soon = false;
  let disposed = false;

  const drain = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    soon = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    lastFlush = performance.now();
    flush(text);
  };

  return {
    add(text) {
      pending += text;
      const now = performance.now();
      if (!sentFirst || windowMs === 0 || pending.length >= MAX_PENDING_CHARS) {
        sentFirst = true;
        drain();
      } else if (now - lastFlush >= windowMs || text.includes('\n')) {
        if (!soon) {
          soon = true;
          queueMicrotask(() => {
            if (soon && !disposed) drain();
          });
        }
      } else if (!timer) {
        timer = setTimeout(drain, windowMs - (now - lastFlush));
      }
    },
    drain,
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = '';
    },
  };
}
