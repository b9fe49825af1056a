import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadRateLimitConfig } from '../../api/_lib/rate-limit/rate-limit-config.js';
import { createRateLimits, type RateLimits } from '../../api/_lib/rate-limit/rate-limits.js';
import { startRedisHarness, uniquePrefix, type RedisHarness } from '../support/redis-harness.js';

/**
 * Two instances of the functions on one Redis: each has its own `@upstash/redis`
 * client, store and limits (created once, as at module scope), and a client's
 * requests land on either. The limits must hold as if there were one instance.
 */
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

function twoInstances(env: Record<string, string>): [Required<RateLimits>, Required<RateLimits>] {
  const prefix = uniquePrefix();
  const config = loadRateLimitConfig({ AI_STREAM_RATE_REQUESTS: '15/60s', AI_STREAM_RATE_STREAMS: '3', AI_STREAM_RATE_TOKENS: '1000/1h', ...env });
  const make = (): Required<RateLimits> => {
    const limits = createRateLimits(redis.store({ prefix }), config);
    if (!limits.requests || !limits.streams || !limits.tokens) throw new Error('every limit is set');
    return { requests: limits.requests, streams: limits.streams, tokens: limits.tokens };
  };
  return [make(), make()];
}

describe('two instances on one Redis', () => {
  it('a burst of 40 parallel requests from one client, split across both, admits exactly 15; another client is unaffected', async () => {
    const instances = twoInstances({});
    const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => instances[i % 2]?.requests.check('ip:198.51.100.7')));
    expect(decisions.filter((d) => d?.success)).toHaveLength(15);
    const [a, b] = instances;
    expect(await a.requests.check('ip:198.51.100.8')).toMatchObject({ success: true, remaining: 14 });
    expect(await b.requests.check('ip:198.51.100.8')).toMatchObject({ success: true, remaining: 13 });
  });

  it('an instance that refused a client answers its next requests from its ephemeral cache, without a round trip', async () => {
    const [a] = twoInstances({ AI_STREAM_RATE_REQUESTS: '2/60s' });
    await a.requests.check('ip:198.51.100.9');
    await a.requests.check('ip:198.51.100.9');
    expect(await a.requests.check('ip:198.51.100.9')).toMatchObject({ success: false });
    const before = redis.rest.stats.requests;
    expect(await a.requests.check('ip:198.51.100.9')).toMatchObject({ success: false, reason: 'requests' });
    expect(redis.rest.stats.requests - before).toBe(0);
  });

  it('the concurrent-stream cap holds across instances, and a stream ended on one frees a slot for the other', async () => {
    const [a, b] = twoInstances({});
    const ids = Array.from({ length: 10 }, (_, i) => `stream-${i}`);
    const decisions = await Promise.all(ids.map((id, i) => (i % 2 ? b : a).streams.acquire('ip:198.51.100.7', id)));
    const admitted = ids.filter((_, i) => decisions[i]?.success);
    expect(admitted).toHaveLength(3);
    expect(await a.streams.acquire('ip:198.51.100.8', 'theirs')).toMatchObject({ success: true });
    await b.streams.release('ip:198.51.100.7', admitted[0] ?? '');
    expect(await a.streams.acquire('ip:198.51.100.7', 'next')).toMatchObject({ success: true, remaining: 0 });
    expect(await b.streams.acquire('ip:198.51.100.7', 'one-more')).toMatchObject({ success: false, reason: 'streams' });
  });

  it('the token budget holds across instances: 12 parallel reservations of 150 out of 1000 admit exactly 6', async () => {
    const [a, b] = twoInstances({});
    const reserved = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? b : a).tokens.reserve('user:carol', 150)));
    const admitted = reserved.filter((r) => r.decision.success);
    expect(admitted).toHaveLength(6);
    // Settled on the other instance than the one that reserved: the counter is shared.
    for (const { reservation } of admitted) if (reservation) await b.tokens.settle('user:carol', reservation, 50);
    expect((await a.tokens.reserve('user:carol', 700)).decision).toMatchObject({ success: true, remaining: 0 });
    expect((await b.tokens.reserve('user:dave', 1000)).decision).toMatchObject({ success: true });
  });
});
