import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { tokenIntervalMs } from './pace.js';
import type { Pace } from './pace.js';
import type { StreamResponse } from './stream-response.js';

/** Frames are gathered up to this size when the pace lets several go at once. */
const BATCH_CHARS = 16 * 1024;

/**
 * Writes `count` frames (`frameAt(i)` builds frame i, one token each) at `pace`,
 * scheduled from the first one, so a late timer is caught up with several frames in one
 * write rather than slowing the stream. Resolves false as soon as the connection is gone.
 */
export async function writePaced(
  stream: StreamResponse,
  pace: Pace,
  count: number,
  frameAt: (index: number) => string,
): Promise<boolean> {
  const interval = tokenIntervalMs(pace);
  const startedAt = performance.now();
  let batch = '';
  for (let i = 0; i < count; i += 1) {
    const wait = interval > 0 ? startedAt + i * interval - performance.now() : 0;
    if (wait >= 1) {
      if (batch !== '' && !(await stream.write(batch))) return false;
      batch = '';
      if (!(await stream.sleep(wait))) return false;
    }
    batch += frameAt(i);
    if (batch.length >= BATCH_CHARS) {
      if (!(await stream.write(batch))) return false;
      batch = '';
      // Writes that never fill the buffer never yield; give a client's close a chance to land.
      await yieldToEventLoop();
      if (!stream.isOpen) return false;
    }
  }
  return batch === '' || stream.write(batch);
}
