import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CancelWatcher } from '../../api/_lib/store/cancel-watcher.js';
import { MemoryStore } from '../../api/_lib/store/memory-store.js';
import type { StoreResult } from '../../api/_lib/store/shared-store.js';

/** A memory store that records each `cancelledAmong` call, and can hold its answers back. */
class CountingStore extends MemoryStore {
  readonly calls: string[][] = [];
  hold: Promise<void> | undefined;

  override async cancelledAmong(ids: readonly string[]): Promise<StoreResult<ReadonlySet<string>>> {
    this.calls.push([...ids]);
    await this.hold;
    return super.cancelledAmong(ids);
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CancelWatcher', () => {
  it('asks the store once per tick for all watched streams, and cancels the flagged ones', async () => {
    const store = new CountingStore();
    const cancelled: string[] = [];
    const watcher = new CancelWatcher(store, (id) => cancelled.push(id), 250);
    for (const id of ['a', 'b', 'c']) watcher.watch(id);
    await store.requestCancel('b');
    await vi.advanceTimersByTimeAsync(250);
    expect(store.calls).toEqual([['a', 'b', 'c']]);
    expect(cancelled).toEqual(['b']);
    await vi.advanceTimersByTimeAsync(500);
    expect(store.calls).toHaveLength(3);
  });

  it('runs no timer and asks nothing while no stream is watched', async () => {
    const store = new CountingStore();
    const watcher = new CancelWatcher(store, () => {}, 250);
    expect(watcher.running).toBe(false);
    watcher.watch('a');
    expect(watcher.running).toBe(true);
    watcher.unwatch('a');
    expect(watcher.running).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(store.calls).toEqual([]);
  });

  it('skips ticks while a call is still out, and does not cancel a stream that ended meanwhile', async () => {
    const store = new CountingStore();
    const cancelled: string[] = [];
    const watcher = new CancelWatcher(store, (id) => cancelled.push(id), 250);
    watcher.watch('a');
    watcher.watch('b');
    await store.requestCancel('a');
    let answer: () => void = () => {};
    store.hold = new Promise((resolve) => (answer = resolve));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.calls).toHaveLength(1);
    watcher.unwatch('a');
    store.hold = undefined;
    answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(cancelled).toEqual([]);
    await vi.advanceTimersByTimeAsync(250);
    expect(store.calls).toEqual([['a', 'b'], ['b']]);
  });
});
