import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StreamClock, clockTickMs } from '../../api/_lib/answer/stream-clock.js';

describe('stream clock', () => {
  // The clock is logic about time: its interval and the `now` it passes run on fake time.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ticks every member once per tick while any is open, then stops its interval', () => {
    const clock = new StreamClock(20);
    const ticks = { a: 0, b: 0 };
    const a = { onTick: () => void ticks.a++ };
    const b = { onTick: () => void ticks.b++ };
    expect(clock.running).toBe(false);
    clock.add(a);
    clock.add(b);
    expect(clock.running).toBe(true);
    vi.advanceTimersByTime(19);
    expect(ticks).toEqual({ a: 0, b: 0 });
    vi.advanceTimersByTime(1);
    expect(ticks).toEqual({ a: 1, b: 1 });
    vi.advanceTimersByTime(180);
    expect(ticks).toEqual({ a: 10, b: 10 });
    clock.delete(a);
    vi.advanceTimersByTime(60);
    expect(ticks).toEqual({ a: 10, b: 13 });
    clock.delete(b);
    expect(clock.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes the time of the tick, and lets a member leave during its own tick', () => {
    const clock = new StreamClock(10);
    const seen: number[] = [];
    let others = 0;
    const leaving = {
      onTick(now: number) {
        seen.push(now);
        clock.delete(leaving);
      },
    };
    const staying = { onTick: () => void others++ };
    clock.add(leaving);
    clock.add(staying);
    const addedAt = performance.now();
    vi.advanceTimersByTime(60);
    expect(seen).toEqual([addedAt + 10]);
    expect(others).toBe(6);
    expect(clock.running).toBe(true);
    clock.delete(staying);
    expect(clock.running).toBe(false);
  });

  it('picks a tenth of the shortest timeout, from 10 ms to 1 s', () => {
    expect(clockTickMs(290_000, 15_000, 60_000)).toBe(1_000);
    expect(clockTickMs(300, 15_000, 400)).toBe(30);
    expect(clockTickMs(50)).toBe(10);
  });
});
