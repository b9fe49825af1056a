import { describe, expect, it } from 'vitest';
import { formatWindow, rateLimitHeaders, rateLimitResponse } from '../../api/_lib/rate-limit/rate-limit-response.js';

const now = 1_800_000_000_000;

describe('the 429 answer', () => {
  it('carries Retry-After, the RateLimit-* headers, and a body naming the limit', async () => {
    const response = rateLimitResponse({ success: false, reason: 'requests', limit: 20, remaining: 0, reset: now + 12_400, windowMs: 60_000 }, { 'Access-Control-Allow-Origin': '*' }, now);
    expect(response.status).toBe(429);
    expect(Object.fromEntries(response.headers)).toEqual({
      'access-control-allow-origin': '*',
      'content-type': 'application/json',
      'ratelimit-limit': '20',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '13',
      'retry-after': '13',
    });
    expect(await response.json()).toEqual({
      error: { code: 'rate_limited', message: 'Too many requests: at most 20 per 1 min. Try again in 13 s.', limit: 'requests' },
    });
  });

  it('says which limit refused: streams and tokens', async () => {
    const streams = rateLimitResponse({ success: false, reason: 'streams', limit: 2, remaining: 0, reset: now + 2_000 }, {}, now);
    expect(await streams.json()).toEqual({ error: { code: 'rate_limited', message: 'Too many answers at once: at most 2. Try again when one has finished.', limit: 'streams' } });
    const tokens = rateLimitResponse({ success: false, reason: 'tokens', limit: 100_000, remaining: 512, reset: now + 3_600_000, windowMs: 3_600_000 }, {}, now);
    expect(tokens.headers.get('Retry-After')).toBe('3600');
    expect(tokens.headers.get('RateLimit-Remaining')).toBe('512');
    expect(await tokens.json()).toMatchObject({ error: { limit: 'tokens', message: 'Token budget used up: at most 100000 tokens per 1 h. Try again in 3600 s.' } });
  });

  it('Retry-After is at least 1 s, even when the window has just ended', () => {
    const response = rateLimitResponse({ success: false, reason: 'requests', limit: 1, remaining: 0, reset: now - 5 }, {}, now);
    expect(response.headers.get('Retry-After')).toBe('1');
    expect(response.headers.get('RateLimit-Reset')).toBe('0');
  });

  it('the headers alone, for an admitted request', () => {
    expect(rateLimitHeaders({ success: true, reason: 'requests', limit: 20, remaining: 7, reset: now + 30_000 }, now)).toEqual({
      'RateLimit-Limit': '20',
      'RateLimit-Remaining': '7',
      'RateLimit-Reset': '30',
    });
  });

  it('windows read as a person says them', () => {
    expect([500, 1_000, 90_000, 60_000, 3_600_000, 86_400_000, 1_500].map(formatWindow)).toEqual(['500 ms', '1 s', '90 s', '1 min', '1 h', '1 d', '1500 ms']);
  });
});
