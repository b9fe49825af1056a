import { describe, expect, it } from 'vitest';
import { StreamClock, clockTickMs } from '../../api/_lib/stream-clock.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('stream clock', () => {
  it('ticks every member about once per tick while any is open, then stops its interval', async () => {
    const clock = new StreamClock(20);
    const ticks = { a: 0, b: 0 };
    const a = { onTick: () => void ticks.a++ };
    const b = { onTick: () => void ticks.b++ };
    expect(clock.running).toBe(false);
    clock.add(a);
    clock.add(b);
    expect(clock.running).toBe(true);
    await sleep(210);
    // About 10 ticks in 210 ms; a loaded machine runs late, never early.
    expect(ticks.a).toBeGreaterThanOrEqual(4);
    expect(ticks.a).toBeLessThanOrEqual(11);
    expect(ticks.b).toBe(ticks.a);
    clock.delete(a);
    const aAtDelete = ticks.a;
    await sleep(60);
    expect(ticks.a).toBe(aAtDelete);
    expect(ticks.b).toBeGreaterThan(aAtDelete);
    clock.delete(b);
    expect(clock.running).toBe(false);
  });

  it('passes the time of the tick, and lets a member leave during its own tick', async () => {
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
    const before = performance.now();
    await sleep(60);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThanOrEqual(before);
    expect(seen[0]).toBeLessThanOrEqual(performance.now());
    expect(others).toBeGreaterThanOrEqual(2);
    clock.delete(staying);
    expect(clock.running).toBe(false);
  });

  it('picks a tenth of the shortest timeout, from 10 ms to 1 s', () => {
    expect(clockTickMs(290_000, 15_000, 60_000)).toBe(1_000);
    expect(clockTickMs(300, 15_000, 400)).toBe(30);
    expect(clockTickMs(50)).toBe(10);
  });
});
