import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../api/_lib/store/memory-store.js';
import type { EventLogBounds, SharedStore } from '../../api/_lib/store/shared-store.js';
import { eventually, startRedisHarness, uniquePrefix, type RedisHarness } from '../support/redis-harness.js';

/**
 * One behavioural suite for both stores. `a` and `b` are two instances of the
 * functions: for Redis, two stores with their own clients on one database (what `a`
 * writes, `b` must see); for memory, one instance (it shares nothing).
 */
interface Pair {
  a: SharedStore;
  b: SharedStore;
}

let redis: RedisHarness;
beforeAll(async () => {
  redis = await startRedisHarness();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

const kinds: Array<{ name: string; pair: (bounds?: EventLogBounds) => Pair }> = [
  {
    name: 'memory store',
    pair: (bounds) => {
      const store = new MemoryStore(bounds ? { eventLogBounds: bounds } : {});
      return { a: store, b: store };
    },
  },
  {
    name: 'redis store (Upstash REST)',
    pair: (bounds) => {
      const prefix = uniquePrefix();
      const options = { prefix, ...(bounds ? { eventLogBounds: bounds } : {}) };
      return { a: redis.store(options), b: redis.store(options) };
    },
  },
];

/** Moves only `Date` (what the counters read), so real network timers keep working. */
function freezeDate(at: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
}

describe.each(kinds)('$name', ({ pair }) => {
  it('a stream has one owner: the first claim wins, later claims fail, ownerOf names it', async () => {
    const { a, b } = pair();
    expect(await a.claimStream('s-1', 'ip:10.0.0.1', 60_000)).toEqual({ ok: true, value: true });
    expect(await b.claimStream('s-1', 'ip:10.0.0.2', 60_000)).toEqual({ ok: true, value: false });
    expect(await b.ownerOf('s-1')).toEqual({ ok: true, value: 'ip:10.0.0.1' });
    expect(await b.ownerOf('s-unknown')).toEqual({ ok: true, value: undefined });
  });

  it('a cancel raised on one instance is seen by the other in one batched check', async () => {
    const { a, b } = pair();
    expect(await b.cancelledAmong(['x', 'y'])).toEqual({ ok: true, value: new Set() });
    expect(await a.requestCancel('y')).toEqual({ ok: true, value: undefined });
    expect(await b.cancelledAmong(['x', 'y', 'z'])).toEqual({ ok: true, value: new Set(['y']) });
    expect(await b.cancelledAmong([])).toEqual({ ok: true, value: new Set() });
  });

  it('an event log returns exactly the frames after a seq, byte for byte, and says when it ended', async () => {
    const { a, b } = pair();
    // Frames that a JSON-parsing client or a status-reply shortcut would mangle.
    const frames = ['id: s:0\nevent: start\ndata: {}\n\n', '42', 'null', '{"a":1}', 'OK', 'é中😀\r\n', ''];
    expect(await a.appendEvents('log-1', 0, frames.slice(0, 3), 60_000)).toEqual({ ok: true, value: { appended: true, nextSeq: 3 } });
    expect(await a.appendEvents('log-1', 3, frames.slice(3), 60_000)).toEqual({ ok: true, value: { appended: true, nextSeq: 7 } });
    expect(await b.readEvents('log-1', -1)).toEqual({ ok: true, value: { frames, ended: false, nextSeq: 7 } });
    expect(await b.readEvents('log-1', 2)).toEqual({ ok: true, value: { frames: frames.slice(3), ended: false, nextSeq: 7 } });
    expect(await b.readEvents('log-1', 6)).toEqual({ ok: true, value: { frames: [], ended: false, nextSeq: 7 } });
    // Below -1 still means "from the start" (a Redis range would count negative indices from the end).
    expect(await b.readEvents('log-1', -3)).toEqual({ ok: true, value: { frames, ended: false, nextSeq: 7 } });
    expect(await a.appendEvents('log-1', 7, ['last'], 60_000, { end: true })).toEqual({ ok: true, value: { appended: true, nextSeq: 8 } });
    expect(await b.readEvents('log-1', 6)).toEqual({ ok: true, value: { frames: ['last'], ended: true, nextSeq: 8 } });
  });

  it('an append that does not start at the next seq is refused and writes nothing', async () => {
    const { a, b } = pair();
    await a.appendEvents('log-2', 0, ['f0', 'f1'], 60_000);
    expect(await a.appendEvents('log-2', 3, ['f3'], 60_000)).toEqual({ ok: true, value: { appended: false, reason: 'gap', nextSeq: 2 } });
    expect(await a.appendEvents('log-2', 1, ['again'], 60_000)).toEqual({ ok: true, value: { appended: false, reason: 'gap', nextSeq: 2 } });
    expect(await b.readEvents('log-2', -1)).toEqual({ ok: true, value: { frames: ['f0', 'f1'], ended: false, nextSeq: 2 } });
  });

  it('an append past the frame or byte bound is refused whole', async () => {
    const { a, b } = pair({ maxFrames: 4, maxBytes: 20 });
    expect(await a.appendEvents('log-3', 0, ['aaa', 'bbb', 'ccc'], 60_000)).toMatchObject({ ok: true, value: { appended: true } });
    expect(await a.appendEvents('log-3', 3, ['d', 'e'], 60_000)).toEqual({ ok: true, value: { appended: false, reason: 'full', nextSeq: 3 } });
    // 9 bytes so far; 'é' is two bytes in UTF-8: six of them (12 bytes) pass 20 where six ASCII letters would not.
    expect(await a.appendEvents('log-3', 3, ['éééééé'], 60_000)).toEqual({ ok: true, value: { appended: false, reason: 'full', nextSeq: 3 } });
    expect(await a.appendEvents('log-3', 3, ['ddddddddddd'], 60_000)).toEqual({ ok: true, value: { appended: true, nextSeq: 4 } });
    expect(await b.readEvents('log-3', -1)).toMatchObject({ ok: true, value: { frames: ['aaa', 'bbb', 'ccc', 'ddddddddddd'] } });
  });

  it('one flush of 9,000 frames is one append, in order (Lua cannot unpack that many at once: the script pushes slices)', async () => {
    const { a, b } = pair();
    const frames = Array.from({ length: 9_000 }, (_, i) => `id: s:${i}\ndata: {"type":"token","content":"${i}"}\n\n`);
    expect(await a.appendEvents('log-5', 0, frames, 60_000)).toEqual({ ok: true, value: { appended: true, nextSeq: 9_000 } });
    expect(await b.readEvents('log-5', 4_499)).toEqual({ ok: true, value: { frames: frames.slice(4_500), ended: false, nextSeq: 9_000 } });
  });

  it('markEnded ends a known log and leaves an unknown one unknown', async () => {
    const { a, b } = pair();
    await a.appendEvents('log-4', 0, ['x'], 60_000);
    expect(await a.markEnded('log-4')).toEqual({ ok: true, value: undefined });
    expect(await a.markEnded('log-unknown')).toEqual({ ok: true, value: undefined });
    expect(await b.readEvents('log-4', 0)).toEqual({ ok: true, value: { frames: [], ended: true, nextSeq: 1 } });
    expect(await b.readEvents('log-unknown', -1)).toEqual({ ok: true, value: undefined });
  });

  it('a sliding window admits its limit, then weighs the previous window by its overlap', async () => {
    const { a, b } = pair();
    const windowMs = 60_000;
    const start = 1_800_000_000_000 - (1_800_000_000_000 % windowMs); // a window boundary
    freezeDate(start + 1_000);
    const hits = [];
    for (let i = 0; i < 11; i++) hits.push(await (i % 2 ? b : a).hitWindow('client-1', 10, windowMs));
    expect(hits.map((h) => (h.ok ? h.value.success : 'down'))).toEqual([...Array<boolean>(10).fill(true), false]);
    expect(hits[9]).toEqual({ ok: true, value: { success: true, limit: 10, remaining: 0, reset: start + windowMs } });
    expect(hits[10]).toEqual({ ok: true, value: { success: false, limit: 10, remaining: 0, reset: start + windowMs } });
    // A quarter into the next window, 3/4 of the previous 10 still count (7, rounded down): 3 more pass.
    vi.setSystemTime(start + windowMs + windowMs / 4);
    const next = [];
    for (let i = 0; i < 4; i++) next.push(await (i % 2 ? a : b).hitWindow('client-1', 10, windowMs));
    expect(next.map((h) => (h.ok ? h.value.success : 'down'))).toEqual([true, true, true, false]);
    expect(await a.hitWindow('client-2', 10, windowMs)).toMatchObject({ ok: true, value: { success: true, remaining: 9 } });
  });

  it('a budget reservation is refused when the amount would pass the limit, and settling returns what was unused', async () => {
    const { a, b } = pair();
    freezeDate(1_800_000_030_000);
    const first = await a.reserveBudget('budget-1', 600, 1_000, 3_600_000);
    expect(first).toMatchObject({ ok: true, value: { success: true, limit: 1_000, remaining: 400 } });
    expect(await b.reserveBudget('budget-1', 600, 1_000, 3_600_000)).toMatchObject({ ok: true, value: { success: false, remaining: 400 } });
    if (!first.ok || first.value.bucket === undefined) throw new Error('no bucket');
    // The first request used 100 of its 600.
    expect(await b.settleBudget('budget-1', first.value.bucket, -500)).toEqual({ ok: true, value: undefined });
    expect(await b.reserveBudget('budget-1', 600, 1_000, 3_600_000)).toMatchObject({ ok: true, value: { success: true, remaining: 300 } });
    // A usage beyond the reservation is counted too (it cannot be refused after the fact).
    expect(await a.settleBudget('budget-1', first.value.bucket, 250)).toEqual({ ok: true, value: undefined });
    expect(await a.reserveBudget('budget-1', 51, 1_000, 3_600_000)).toMatchObject({ ok: true, value: { success: false, remaining: 50 } });
  });

  it('settling a bucket that is gone creates nothing, and a count never goes below zero', async () => {
    const { a } = pair();
    freezeDate(1_800_000_030_000);
    expect(await a.settleBudget('budget-2', 12345, 900)).toEqual({ ok: true, value: undefined });
    const full = await a.reserveBudget('budget-2', 1_000, 1_000, 3_600_000);
    expect(full).toMatchObject({ ok: true, value: { success: true, remaining: 0 } });
    if (!full.ok || full.value.bucket === undefined) throw new Error('no bucket');
    await a.settleBudget('budget-2', full.value.bucket, -5_000);
    expect(await a.reserveBudget('budget-2', 1_000, 1_000, 3_600_000)).toMatchObject({ ok: true, value: { success: true, remaining: 0 } });
  });

  it('slots: at most max held, renewing a held one is free, release frees one, expiry frees the rest', async () => {
    const { a, b } = pair();
    freezeDate(1_800_000_000_000);
    expect(await a.acquireSlot('slots-1', 's1', 2, 10_000)).toEqual({ ok: true, value: { acquired: true, held: 1 } });
    expect(await b.acquireSlot('slots-1', 's2', 2, 10_000)).toEqual({ ok: true, value: { acquired: true, held: 2 } });
    expect(await a.acquireSlot('slots-1', 's3', 2, 10_000)).toEqual({ ok: true, value: { acquired: false, held: 2 } });
    expect(await b.acquireSlot('slots-1', 's1', 2, 10_000)).toEqual({ ok: true, value: { acquired: true, held: 2 } });
    expect(await a.releaseSlot('slots-1', 's2')).toEqual({ ok: true, value: undefined });
    expect(await a.releaseSlot('slots-1', 's2')).toEqual({ ok: true, value: undefined });
    expect(await b.acquireSlot('slots-1', 's3', 2, 10_000)).toEqual({ ok: true, value: { acquired: true, held: 2 } });
    // s1 was renewed at the same instant as s3 was taken: both expire 10 s on.
    vi.setSystemTime(1_800_000_010_000);
    expect(await a.acquireSlot('slots-1', 's4', 2, 10_000)).toEqual({ ok: true, value: { acquired: true, held: 1 } });
  });

  it('slots of different lifetimes: one that outlives the others does not keep theirs counted at the cap', async () => {
    const { a } = pair();
    freezeDate(1_800_000_000_000);
    await a.acquireSlot('slots-2', 'long', 3, 60_000);
    await a.acquireSlot('slots-2', 'short-1', 3, 1_000);
    await a.acquireSlot('slots-2', 'short-2', 3, 1_000);
    expect(await a.acquireSlot('slots-2', 'x', 3, 1_000)).toEqual({ ok: true, value: { acquired: false, held: 3 } });
    vi.setSystemTime(1_800_000_001_000);
    expect(await a.acquireSlot('slots-2', 'y', 3, 1_000)).toEqual({ ok: true, value: { acquired: true, held: 2 } });
  });
});

describe('expiry', () => {
  it('memory store: owners, logs and cancel flags expire at their time, and each append renews the log', async () => {
    vi.useFakeTimers();
    const store = new MemoryStore();
    await store.claimStream('s', 'me', 1_000);
    await store.appendEvents('s', 0, ['a'], 1_000);
    await store.requestCancel('s');
    vi.advanceTimersByTime(999);
    expect(await store.ownerOf('s')).toEqual({ ok: true, value: 'me' });
    await store.appendEvents('s', 1, ['b'], 1_000);
    vi.advanceTimersByTime(1);
    expect(await store.ownerOf('s')).toEqual({ ok: true, value: undefined });
    expect(await store.claimStream('s', 'other', 1_000)).toEqual({ ok: true, value: true });
    vi.advanceTimersByTime(998);
    expect(await store.readEvents('s', -1)).toMatchObject({ ok: true, value: { frames: ['a', 'b'] } });
    vi.advanceTimersByTime(1);
    expect(await store.readEvents('s', -1)).toEqual({ ok: true, value: undefined });
    // The cancel flag outlives any stream (15 min), then goes.
    expect(await store.cancelledAmong(['s'])).toEqual({ ok: true, value: new Set(['s']) });
    vi.advanceTimersByTime(15 * 60_000);
    expect(await store.cancelledAmong(['s'])).toEqual({ ok: true, value: new Set() });
  });

  it('redis store: an owner and a log expire after their ttl (observed, not slept on)', async () => {
    const store = redis.store();
    await store.claimStream('s', 'me', 300);
    await store.appendEvents('s', 0, ['a'], 300);
    expect(await store.ownerOf('s')).toEqual({ ok: true, value: 'me' });
    await eventually(() => store.ownerOf('s'), (r) => r.ok && r.value === undefined, 'the owner to expire');
    await eventually(() => store.readEvents('s', -1), (r) => r.ok && r.value === undefined, 'the log to expire');
  });
});

describe('redis store round trips', () => {
  it('each operation is one HTTP request once its script is loaded; a 50-stream cancel check is one', async () => {
    const prefix = uniquePrefix();
    const store = redis.store({ prefix });
    // Load each script once (EVALSHA, then EVAL after NOSCRIPT).
    await store.appendEvents('warm', 0, ['x'], 60_000);
    await store.readEvents('warm', -1);
    await store.hitWindow('warm', 5, 60_000);
    await store.reserveBudget('warm', 1, 5, 60_000);
    await store.acquireSlot('warm', 'w', 1, 60_000);
    const ids = Array.from({ length: 50 }, (_, i) => `stream-${i}`);
    const costs: Record<string, number> = {};
    const measure = async (name: string, run: () => Promise<unknown>): Promise<void> => {
      const before = redis.rest.stats.requests;
      await run();
      costs[name] = redis.rest.stats.requests - before;
    };
    await measure('appendEvents', () => store.appendEvents('s', 0, ['a', 'b', 'c', 'd'], 60_000, { end: true }));
    await measure('readEvents', () => store.readEvents('s', -1));
    await measure('cancelledAmong', () => store.cancelledAmong(ids));
    await measure('hitWindow', () => store.hitWindow('c', 5, 60_000));
    await measure('reserveBudget', () => store.reserveBudget('c', 1, 5, 60_000));
    await measure('acquireSlot', () => store.acquireSlot('c', 's', 1, 60_000));
    await measure('claimStream', () => store.claimStream('s', 'me', 60_000));
    expect(costs).toEqual({ appendEvents: 1, readEvents: 1, cancelledAmong: 1, hitWindow: 1, reserveBudget: 1, acquireSlot: 1, claimStream: 1 });
  });
});
