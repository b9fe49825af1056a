import type { StreamEvent } from '../../widget/shared/protocol.js';

/** Pending text is flushed regardless of the window once it is this long. */
const MAX_PENDING_CHARS = 4_096;

/**
 * Merges `token` events so the browser gets fewer, larger frames: the first token goes
 * out at once (time to first token matters most), later ones at most every `windowMs`
 * or as soon as a newline arrives (a finished line is worth painting). Any other event
 * flushes what is pending first, so order is kept. `windowMs = 0` passes every token.
 */
export function createTokenCoalescer(windowMs: number): TransformStream<StreamEvent, StreamEvent> {
  let pending = '';
  let sentFirst = false;
  let lastFlush = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = (controller: TransformStreamDefaultController<StreamEvent>): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending === '') return;
    controller.enqueue({ type: 'token', content: pending });
    pending = '';
    lastFlush = performance.now();
  };

  return new TransformStream<StreamEvent, StreamEvent>({
    transform(event, controller) {
      if (event.type !== 'token') {
        flush(controller);
        controller.enqueue(event);
        return;
      }
      pending += event.content;
      const due = performance.now() - lastFlush >= windowMs;
      if (!sentFirst || windowMs === 0 || due || event.content.includes('\n') || pending.length >= MAX_PENDING_CHARS) {
        sentFirst = true;
        flush(controller);
      } else if (!timer) {
        timer = setTimeout(() => {
          // The stream may have been cancelled (client gone) while the timer waited.
          try {
            flush(controller);
          } catch {
            pending = '';
          }
        }, Math.max(0, windowMs - (performance.now() - lastFlush)));
      }
    },
    flush(controller) {
      flush(controller);
    },
  });
}
