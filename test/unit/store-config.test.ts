import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../api/_lib/config/config.js';
import { loadStoreConfig } from '../../api/_lib/store/store-config.js';

describe('loadStoreConfig', () => {
  it('is memory when nothing is set', () => {
    expect(loadStoreConfig({})).toEqual({ kind: 'memory' });
  });

  it("reads Upstash's variables, or else Vercel KV's, with a 1 s bound by default", () => {
    expect(loadStoreConfig({ UPSTASH_REDIS_REST_URL: 'https://eu1-x.upstash.io/', UPSTASH_REDIS_REST_TOKEN: 'tok' })).toEqual({
      kind: 'redis',
      url: 'https://eu1-x.upstash.io',
      token: 'tok',
      timeoutMs: 1000,
      prefix: 'ai-stream',
    });
    expect(loadStoreConfig({ KV_REST_API_URL: 'https://kv.example', KV_REST_API_TOKEN: 'kv' })).toMatchObject({ kind: 'redis', url: 'https://kv.example', token: 'kv' });
    expect(
      loadStoreConfig({ UPSTASH_REDIS_REST_URL: 'https://u.example', UPSTASH_REDIS_REST_TOKEN: 'u', KV_REST_API_URL: 'https://kv.example', KV_REST_API_TOKEN: 'kv' }),
    ).toMatchObject({ url: 'https://u.example', token: 'u' });
  });

  it('AI_STREAM_STORE=memory keeps memory even with credentials; =upstash without them is an error', () => {
    expect(loadStoreConfig({ AI_STREAM_STORE: 'memory', UPSTASH_REDIS_REST_URL: 'https://u.example', UPSTASH_REDIS_REST_TOKEN: 'u' })).toEqual({ kind: 'memory' });
    expect(() => loadStoreConfig({ AI_STREAM_STORE: 'upstash' })).toThrow(/UPSTASH_REDIS_REST_URL/);
    expect(() => loadStoreConfig({ AI_STREAM_STORE: 'redis' })).toThrow(/AI_STREAM_STORE/);
  });

  it('half a pair, a bad URL, a bad bound or prefix is a ConfigError naming the variable', () => {
    expect(() => loadStoreConfig({ UPSTASH_REDIS_REST_URL: 'https://u.example' })).toThrow(/UPSTASH_REDIS_REST_TOKEN/);
    expect(() => loadStoreConfig({ KV_REST_API_TOKEN: 'kv' })).toThrow(/KV_REST_API_URL/);
    expect(() => loadStoreConfig({ UPSTASH_REDIS_REST_URL: 'redis://u.example', UPSTASH_REDIS_REST_TOKEN: 'u' })).toThrow(ConfigError);
    const upstash = { UPSTASH_REDIS_REST_URL: 'https://u.example', UPSTASH_REDIS_REST_TOKEN: 'u' };
    expect(loadStoreConfig({ ...upstash, AI_STREAM_STORE_TIMEOUT_MS: '250', AI_STREAM_STORE_PREFIX: 'site-a' })).toMatchObject({ timeoutMs: 250, prefix: 'site-a' });
    expect(() => loadStoreConfig({ ...upstash, AI_STREAM_STORE_TIMEOUT_MS: '20' })).toThrow(/AI_STREAM_STORE_TIMEOUT_MS/);
    expect(() => loadStoreConfig({ ...upstash, AI_STREAM_STORE_PREFIX: 'a b' })).toThrow(/AI_STREAM_STORE_PREFIX/);
  });

  it('never puts the token in an error message', () => {
    try {
      loadStoreConfig({ UPSTASH_REDIS_REST_URL: 'ftp://u.example', UPSTASH_REDIS_REST_TOKEN: 'very-secret-token' });
    } catch (error) {
      expect(String(error)).not.toContain('very-secret-token');
      return;
    }
    throw new Error('expected a ConfigError');
  });
});
