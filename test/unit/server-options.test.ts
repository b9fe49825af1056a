import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../api/_lib/config/config.js';
import { MemoryStore } from '../../api/_lib/store/memory-store.js';
import { resolveOptions } from '../../server/config-from-options.js';

const ENV = { OPENAI_API_KEY: 'sk-env', AI_STREAM_MAX_MESSAGES: '20' };

describe('createStreamHandler options → the core handler’s config', () => {
  it('with no options, is the environment’s config, as the Vercel function reads it', () => {
    const { config, deps } = resolveOptions({ env: ENV });
    expect(config).toEqual(loadConfig(ENV));
    expect(deps.store?.kind).toBe('memory');
    expect(deps.rateLimits).toEqual({ onStoreDown: 'open' });
    expect(deps.clientIdentity).toEqual({ onVercel: false, trustedProxyHops: 0 });
  });

  it('scalar options replace their variables and keep the variables’ bounds', () => {
    const { config, deps } = resolveOptions({
      env: ENV,
      limits: { maxBodyBytes: 4096, idleTimeoutMs: 5_000 },
      allowedOrigins: ['https://shop.example'],
      publicOrigins: ['https://chat.example'],
      rateLimits: { requests: '20/60s', streams: 2 },
      trustProxy: 1,
    });
    expect(config.limits).toMatchObject({ maxBodyBytes: 4096, idleTimeoutMs: 5_000, maxMessages: 20 });
    expect(config.allowedOrigins).toEqual(['https://shop.example']);
    expect(config.ownOrigins).toEqual(['https://chat.example']);
    expect(deps.rateLimits).toEqual({ onStoreDown: 'open', requests: { limit: 20, windowMs: 60_000 }, streams: 2 });
    expect(deps.clientIdentity?.trustedProxyHops).toBe(1);
    expect(() => resolveOptions({ env: ENV, limits: { maxBodyBytes: 10 } })).toThrow(/AI_STREAM_MAX_BODY_BYTES must be a whole number from 1024/);
    expect(() => resolveOptions({ env: ENV, allowedOrigins: ['shop.example'] })).toThrow(ConfigError);
  });

  it('resume options replace their variables, with the variables’ bounds', () => {
    expect(resolveOptions({ env: ENV }).config.resume).toEqual({ mode: 'auto', graceMs: 15_000, pollMs: 150 });
    const { config } = resolveOptions({ env: ENV, resume: { mode: 'on', graceMs: 30_000, pollMs: 200 } });
    expect(config.resume).toEqual({ mode: 'on', graceMs: 30_000, pollMs: 200 });
    expect(() => resolveOptions({ env: ENV, resume: { graceMs: 600_000 } })).toThrow(/AI_STREAM_RESUME_GRACE_MS must be a whole number from 0 to 120000/);
  });

  it('providers and models in code replace the environment’s', () => {
    const { config } = resolveOptions({
      env: ENV,
      providers: { local: { baseUrl: 'http://127.0.0.1:8000/v1/' }, claude: { kind: 'anthropic', apiKey: 'sk-ant' } },
      models: {
        fast: 'local:llama-3.1-8b',
        smart: { provider: 'claude', model: 'claude-sonnet-4-5', contextWindow: 200_000, maxOutputTokens: 8_192, thinkingBudget: 2_048, fallbacks: ['local:llama-3.1-70b'] },
      },
      defaultModel: 'smart',
    });
    expect(config.providers).toEqual({
      local: { kind: 'openai', baseUrl: 'http://127.0.0.1:8000/v1', apiKey: '', auth: 'none' },
      claude: { kind: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant', auth: 'bearer' },
    });
    expect(Object.keys(config.models)).toEqual(['fast', 'smart']);
    expect(config.models.fast).toEqual({ alias: 'fast', provider: 'local', upstreamModel: 'llama-3.1-8b', contextWindow: 128_000, maxOutputTokens: 4_096, encoding: 'o200k_base' });
    expect(config.models.smart).toMatchObject({ provider: 'claude', thinkingBudget: 2_048, fallbacks: [{ alias: 'smart', provider: 'local', upstreamModel: 'llama-3.1-70b' }] });
    expect(config.defaultModel).toBe('smart');
  });

  it('models alone are checked against the environment’s providers', () => {
    const { config } = resolveOptions({ env: ENV, models: { cheap: 'openai:gpt-4o-mini' } });
    expect(config.providers.openai?.apiKey).toBe('sk-env');
    expect(Object.keys(config.models)).toEqual(['cheap']);
    expect(config.defaultModel).toBe('cheap');
  });

  it('refuses what it cannot serve, naming the option', () => {
    expect(() => resolveOptions({ env: {}, providers: { local: { baseUrl: 'http://127.0.0.1:8000/v1' } } })).toThrow(/without `models`/);
    expect(() => resolveOptions({ env: {}, providers: { Local: {} }, models: {} })).toThrow(/provider name "Local"/);
    expect(() => resolveOptions({ env: {}, providers: { local: { baseUrl: 'ftp://x' } }, models: {} })).toThrow(/providers.local.baseUrl must be an http\(s\) URL/);
    expect(() => resolveOptions({ env: {}, providers: { local: { baseUrl: 'https://x.example/v1?key=sk' } }, models: {} })).toThrow(/not in the URL/);
    expect(() => resolveOptions({ env: ENV, models: { fast: 'groq:llama' } })).toThrow(/provider "groq", which is not configured/);
    expect(() => resolveOptions({ env: ENV, models: { fast: 'gpt-4o' } })).toThrow(/'provider:model'/);
    expect(() => resolveOptions({ env: ENV, models: { fast: { provider: 'openai', model: 'gpt-4o', maxOutputTokens: 0 } } })).toThrow(/models.fast.maxOutputTokens/);
    expect(() => resolveOptions({ env: ENV, models: { fast: 'openai:gpt-4o' }, defaultModel: 'slow' })).toThrow(/defaultModel "slow"/);
  });

  it('takes the store and the identify hook as given, and makes none from the environment then', () => {
    const store = new MemoryStore();
    const identify = (): string => 'user-1';
    // An Upstash variable without its token would throw if the environment's store were made.
    const { deps } = resolveOptions({ env: { UPSTASH_REDIS_REST_URL: 'https://eu1.upstash.io' }, store, identify });
    expect(deps.store).toBe(store);
    expect(deps.identify).toBe(identify);
  });
});
