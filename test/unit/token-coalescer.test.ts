import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenCoalescer } from '../../api/_lib/answer/token-coalescer.js';

// The window is logic about time: its timer and the clock it reads run on fake time.
// Microtasks stay real: the end-of-burst flush is one.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function run(windowMs: number, script: Array<string | number | 'drain' | 'tick'>): Promise<string[]> {
  const out: string[] = [];
  const coalescer = createTokenCoalescer(windowMs, { flushText: (text) => out.push(text) });
  for (const step of script) {
    if (step === 'tick') await Promise.resolve();
    else if (typeof step === 'number') vi.advanceTimersByTime(step);
    else if (step === 'drain') coalescer.drain();
    else coalescer.add(step);
  }
  coalescer.drain();
  coalescer.dispose();
  return out;
}

describe('token coalescer', () => {
  it('sends the first delta at once and merges the next ones within the window', async () => {
    expect(await run(200, ['He', 'llo', ' wor', 'ld'])).toEqual(['He', 'llo world']);
  });

  it('flushes at a newline without waiting for the window, once the burst is over', async () => {
    expect(await run(10_000, ['a', 'b', 'c\n', 'tick', 'd'])).toEqual(['a', 'bc\n', 'd']);
  });

  it('makes one frame of the many lines of one burst', async () => {
    expect(await run(10_000, ['a', 'b\n', 'c\n', 'd\n', 'tick', 'e'])).toEqual(['a', 'b\nc\nd\n', 'e']);
  });

  it('flushes pending text when the window passes with no new delta', async () => {
    const out: string[] = [];
    const coalescer = createTokenCoalescer(30, { flushText: (text) => out.push(text) });
    coalescer.add('a');
    coalescer.add('b');
    expect(out).toEqual(['a']);
    vi.advanceTimersByTime(29);
    expect(out).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(out).toEqual(['a', 'b']);
    coalescer.dispose();
  });

  it('keeps flushing window after window: a delta in the middle of one waits exactly the window', async () => {
    const flushes: Array<{ at: number; text: string }> = [];
    const coalescer = createTokenCoalescer(40, { flushText: (text) => flushes.push({ at: performance.now(), text }) });
    const late: Array<{ at: number; text: string }> = [];
    // Pairs of deltas 150 ms apart: the first of a pair goes out at once (its window is
    // over), the second, 5 ms later, only when the timer fires; a drain now and then,
    // as other events do.
    for (let i = 0; i < 5; i++) {
      coalescer.add(`<a${i}>`);
      // Each delta its own network chunk: the burst ends (microtasks run) between them.
      await vi.advanceTimersByTimeAsync(5);
      late.push({ at: performance.now(), text: `<b${i}>` });
      coalescer.add(`<b${i}>`);
      if (i === 2) coalescer.drain();
      await vi.advanceTimersByTimeAsync(150);
    }
    coalescer.dispose();
    expect(flushes.map((f) => f.text).join('')).toBe([0, 1, 2, 3, 4].map((i) => `<a${i}><b${i}>`).join(''));
    for (const { at, text } of late) {
      const flushedAt = flushes.find((f) => f.text.includes(text))!.at;
      // Drained at once in the third pair; otherwise when the window armed by the delta ends.
      expect(flushedAt - at, `delta ${text}`).toBe(text === '<b2>' ? 0 : 40);
    }
  });

  it('drains on demand, so pending text goes out before any other event', async () => {
    expect(await run(10_000, ['a', 'b', 'drain', 'c', 'drain'])).toEqual(['a', 'b', 'c']);
  });

  it('passes every delta when the window is 0', async () => {
    expect(await run(0, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
  });

  it('sends nothing after dispose, even when a flush was scheduled', async () => {
    const out: string[] = [];
    const coalescer = createTokenCoalescer(20, { flushText: (text) => out.push(text) });
    coalescer.add('a');
    coalescer.add('b');
    coalescer.dispose();
    // Past the moment the scheduled flush would have fired.
    vi.advanceTimersByTime(20);
    expect(vi.getTimerCount()).toBe(0);
    expect(out).toEqual(['a']);
  });
});
