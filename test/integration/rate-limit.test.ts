import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadRateLimitConfig } from '../../api/_lib/rate-limit/rate-limit-config.js';
import { createRateLimits, type RateLimits } from '../../api/_lib/rate-limit/rate-limits.js';
import { MemoryStore } from '../../api/_lib/store/memory-store.js';
import type { SharedStore } from '../../api/_lib/store/shared-store.js';
import { startRedisHarness, type RedisHarness } from '../support/redis-harness.js';

/** The three limits on one instance, for each store: the same behaviour, the same numbers. */
let redis: RedisHarness;
beforeAll(async () => {
  redis = await startRedisHarness();
});
afterAll(async () => {
  await redis.stop();
});
// Windows are counted from Date: a real clock could cross a window boundary mid-test.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_800_000_001_000);
});
afterEach(() => {
  vi.useRealTimers();
});

const stores: Array<{ name: string; make: () => SharedStore }> = [
  { name: 'memory store', make: () => new MemoryStore() },
  { name: 'redis store (Upstash REST)', make: () => redis.store() },
];

function limitsOn(store: SharedStore): Required<RateLimits> {
  const limits = createRateLimits(store, loadRateLimitConfig({ AI_STREAM_RATE_REQUESTS: '10/60s', AI_STREAM_RATE_STREAMS: '2', AI_STREAM_RATE_TOKENS: '1000/1h' }));
  if (!limits.requests || !limits.streams || !limits.tokens) throw new Error('every limit is set');
  return { requests: limits.requests, streams: limits.streams, tokens: limits.tokens };
}

describe.each(stores)('$name', ({ make }) => {
  it('a burst of 30 parallel requests from one client admits exactly 10; another client is unaffected', async () => {
    const { requests } = limitsOn(make());
    const decisions = await Promise.all(Array.from({ length: 30 }, () => requests.check('ip:192.0.2.1')));
    expect(decisions.filter((d) => d.success)).toHaveLength(10);
    const refused = decisions.find((d) => !d.success);
    expect(refused).toMatchObject({ success: false, reason: 'requests', limit: 10, remaining: 0, windowMs: 60_000 });
    expect(refused?.reset).toBeGreaterThan(Date.now());
    expect(await requests.check('ip:192.0.2.2')).toMatchObject({ success: true, reason: 'requests', remaining: 9 });
  });

  it('at most 2 streams open at once per client; ending one lets the next start', async () => {
    const { streams } = limitsOn(make());
    const decisions = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => streams.acquire('ip:192.0.2.1', id)));
    const admitted = ['a', 'b', 'c', 'd', 'e'].filter((_, i) => decisions[i]?.success);
    expect(admitted).toHaveLength(2);
    expect(decisions.find((d) => !d.success)).toMatchObject({ reason: 'streams', limit: 2, remaining: 0 });
    expect(await streams.acquire('ip:192.0.2.2', 'other')).toMatchObject({ success: true, remaining: 1 });
    await streams.release('ip:192.0.2.1', admitted[0] ?? '');
    expect(await streams.acquire('ip:192.0.2.1', 'f')).toMatchObject({ success: true, remaining: 0 });
    expect(await streams.acquire('ip:192.0.2.1', 'g')).toMatchObject({ success: false });
  });

  it('a slot held by a crashed instance frees itself after the slot ttl', async () => {
    const { streams } = limitsOn(make());
    await streams.acquire('ip:192.0.2.9', 'crashed-1');
    await streams.acquire('ip:192.0.2.9', 'crashed-2');
    expect(await streams.acquire('ip:192.0.2.9', 'new')).toMatchObject({ success: false });
    vi.setSystemTime(1_800_000_001_000 + streams.slotTtlMs);
    expect(await streams.acquire('ip:192.0.2.9', 'new')).toMatchObject({ success: true, remaining: 1 });
  });

  it('the token budget: 10 parallel reservations of 300 out of 1000 admit exactly 3; settling returns the unused part', async () => {
    const { tokens } = limitsOn(make());
    const reserved = await Promise.all(Array.from({ length: 10 }, () => tokens.reserve('user:alice', 300)));
    const admitted = reserved.filter((r) => r.decision.success);
    expect(admitted).toHaveLength(3);
    expect(reserved.find((r) => !r.decision.success)?.decision).toMatchObject({ reason: 'tokens', limit: 1000, remaining: 100, windowMs: 3_600_000 });
    // Two answers used 120 tokens each, one was cancelled after 20: 740 are free again.
    const [first, second, third] = admitted.map((r) => r.reservation);
    if (!first || !second || !third) throw new Error('admitted reservations carry their bucket');
    await tokens.settle('user:alice', first, 120);
    await tokens.settle('user:alice', second, 120);
    await tokens.settle('user:alice', third, 20);
    expect((await tokens.reserve('user:alice', 740)).decision).toMatchObject({ success: true, remaining: 0 });
    expect((await tokens.reserve('user:bob', 1000)).decision).toMatchObject({ success: true, remaining: 0 });
  });

  it('token amounts are whole and never negative: a negative reservation refunds nothing, a fraction rounds up', async () => {
    const { tokens } = limitsOn(make());
    expect((await tokens.reserve('user:erin', 999.2)).decision).toMatchObject({ success: true, remaining: 0 });
    expect((await tokens.reserve('user:erin', -500)).decision).toMatchObject({ success: true, remaining: 0 });
    expect((await tokens.reserve('user:erin', 1)).decision).toMatchObject({ success: false, remaining: 0 });
  });
});
