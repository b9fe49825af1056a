import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../api/_lib/config/config.js';

describe('configuration from the environment', () => {
  it('makes OpenAI the default provider with only OPENAI_API_KEY set', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'sk-x' });
    expect(config.providers.openai).toEqual({ kind: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-x' });
    expect(config.defaultModel).toBe('gpt-4o-mini');
    expect(config.models['gpt-4o-mini']?.provider).toBe('openai');
  });

  it('honours OPENAI_BASE_URL as the official client does (a base ending in /v1)', () => {
    expect(loadConfig({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1/' }).providers.openai?.baseUrl).toBe('http://127.0.0.1:11434/v1');
  });

  it('has no provider and no default model without a key', () => {
    const config = loadConfig({});
    expect(config.defaultModel).toBe('');
    expect(Object.keys(config.providers)).toEqual([]);
  });

  it('takes the model aliases from AI_STREAM_MODELS, replacing the built-in ones, and picks the default', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_MODELS: 'llama=openai:llama3.2@8192/1024, tiny=openai:qwen', AI_STREAM_DEFAULT_MODEL: 'llama' });
    expect(config.defaultModel).toBe('llama');
    expect(config.models.llama).toMatchObject({ upstreamModel: 'llama3.2', contextWindow: 8192, maxOutputTokens: 1024 });
    expect(config.models.tiny?.upstreamModel).toBe('qwen');
    expect(Object.keys(config.models)).toEqual(['llama', 'tiny']);
    expect(loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_MODELS: 'cheap=openai:gpt-4o-mini' }).defaultModel).toBe('cheap');
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_MODELS: 'cheap=openai:gpt-4o-mini', AI_STREAM_DEFAULT_MODEL: 'gpt-4o' })).toThrow(/AI_STREAM_DEFAULT_MODEL/);
  });

  it('gives a request without maxTokens a modest default, configurable', () => {
    expect(loadConfig({ OPENAI_API_KEY: 'k' }).defaultMaxTokens).toBe(1_024);
    expect(loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_DEFAULT_MAX_TOKENS: '256' }).defaultMaxTokens).toBe(256);
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_DEFAULT_MAX_TOKENS: '0' })).toThrow(/AI_STREAM_DEFAULT_MAX_TOKENS/);
  });

  it('has a body read deadline of 10 s, configurable', () => {
    expect(loadConfig({}).limits.bodyTimeoutMs).toBe(10_000);
    expect(loadConfig({ AI_STREAM_BODY_TIMEOUT_MS: '2500' }).limits.bodyTimeoutMs).toBe(2_500);
    expect(() => loadConfig({ AI_STREAM_BODY_TIMEOUT_MS: '10' })).toThrow(/AI_STREAM_BODY_TIMEOUT_MS/);
  });

  it('knows its own origins only from configuration, never a request', () => {
    expect(loadConfig({}).ownOrigins).toEqual([]);
    const config = loadConfig({
      AI_STREAM_PUBLIC_ORIGIN: 'https://Chat.Example/, http://localhost:8080',
      VERCEL_URL: 'app-abc123.vercel.app',
      VERCEL_BRANCH_URL: 'app-git-main.vercel.app',
      VERCEL_PROJECT_PRODUCTION_URL: 'chat.example',
    });
    expect(config.ownOrigins).toEqual(['https://chat.example', 'http://localhost:8080', 'https://app-abc123.vercel.app', 'https://app-git-main.vercel.app']);
    expect(() => loadConfig({ AI_STREAM_PUBLIC_ORIGIN: 'chat.example' })).toThrow(/AI_STREAM_PUBLIC_ORIGIN/);
    expect(() => loadConfig({ AI_STREAM_PUBLIC_ORIGIN: 'https://chat.example/app' })).toThrow(/AI_STREAM_PUBLIC_ORIGIN/);
  });

  it('keeps the status endpoint off without a token, and refuses a short one', () => {
    expect(loadConfig({}).statusToken).toBeUndefined();
    expect(loadConfig({ AI_STREAM_STATUS_TOKEN: ' 0123456789abcdef ' }).statusToken).toBe('0123456789abcdef');
    expect(() => loadConfig({ AI_STREAM_STATUS_TOKEN: 'short' })).toThrow(/AI_STREAM_STATUS_TOKEN/);
    // A bearer token is one word: with a space inside, no Authorization header could carry it.
    expect(() => loadConfig({ AI_STREAM_STATUS_TOKEN: '0123456789 abcdef' })).toThrow(/AI_STREAM_STATUS_TOKEN/);
  });

  it('fails fast with a message naming the variable', () => {
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_COALESCE_MS: 'fast' })).toThrow(/AI_STREAM_COALESCE_MS/);
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_MODELS: 'bad entry' })).toThrow(ConfigError);
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_MODELS: 'x=anthropic:claude' })).toThrow(/not configured/);
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_DEFAULT_MODEL: 'nope' })).toThrow(/AI_STREAM_DEFAULT_MODEL/);
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'ftp://x' })).toThrow(/OPENAI_BASE_URL/);
  });

  it('reads the CORS allowlist and limits', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_ALLOWED_ORIGINS: 'https://a.example/, https://b.example', AI_STREAM_MAX_MESSAGES: '5', AI_STREAM_COALESCE_MS: '0' });
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(loadConfig({ AI_STREAM_ALLOWED_ORIGINS: 'HTTPS://Shop.Example:443, *' }).allowedOrigins).toEqual(['https://shop.example', '*']);
    expect(() => loadConfig({ AI_STREAM_ALLOWED_ORIGINS: 'null' })).toThrow(/AI_STREAM_ALLOWED_ORIGINS/);
    expect(config.limits.maxMessages).toBe(5);
    expect(config.coalesceMs).toBe(0);
  });
});
