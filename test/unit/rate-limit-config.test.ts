import { describe, expect, it } from 'vitest';
import { loadRateLimitConfig, parseWindowLimit } from '../../api/_lib/rate-limit/rate-limit-config.js';

describe('rate-limit configuration', () => {
  it('every limit is off unless set; the store-down policy is open by default', () => {
    expect(loadRateLimitConfig({})).toEqual({ onStoreDown: 'open' });
  });

  it('reads <count>/<window> with the units of @upstash/ratelimit, and a stream count', () => {
    expect(loadRateLimitConfig({ AI_STREAM_RATE_REQUESTS: '20/60s', AI_STREAM_RATE_STREAMS: '3', AI_STREAM_RATE_TOKENS: '100000/1h', AI_STREAM_RATE_ON_STORE_DOWN: 'closed' })).toEqual({
      requests: { limit: 20, windowMs: 60_000 },
      streams: 3,
      tokens: { limit: 100_000, windowMs: 3_600_000 },
      onStoreDown: 'closed',
    });
    expect(parseWindowLimit('X', '5 / 500ms')).toEqual({ limit: 5, windowMs: 500 });
    expect(parseWindowLimit('X', '1/1 d')).toEqual({ limit: 1, windowMs: 86_400_000 });
    expect(parseWindowLimit('X', '10/2m')).toEqual({ limit: 10, windowMs: 120_000 });
  });

  it('a malformed value is a ConfigError naming the variable', () => {
    for (const bad of ['20', '20/', '0/60s', '20/60', '20/60x', '-1/1s', '20/2d', 'abc']) {
      expect(() => loadRateLimitConfig({ AI_STREAM_RATE_REQUESTS: bad }), bad).toThrow(/AI_STREAM_RATE_REQUESTS/);
    }
    expect(() => loadRateLimitConfig({ AI_STREAM_RATE_TOKENS: '1h' })).toThrow(/AI_STREAM_RATE_TOKENS/);
    expect(() => loadRateLimitConfig({ AI_STREAM_RATE_STREAMS: '0' })).toThrow(/AI_STREAM_RATE_STREAMS/);
    expect(() => loadRateLimitConfig({ AI_STREAM_RATE_STREAMS: '2.5' })).toThrow(/AI_STREAM_RATE_STREAMS/);
    expect(() => loadRateLimitConfig({ AI_STREAM_RATE_ON_STORE_DOWN: 'maybe' })).toThrow(/AI_STREAM_RATE_ON_STORE_DOWN/);
  });
});
