import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../api/_lib/config.js';

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

  it('adds model aliases from AI_STREAM_MODELS and picks the default', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_MODELS: 'llama=openai:llama3.2@8192/1024, tiny=openai:qwen', AI_STREAM_DEFAULT_MODEL: 'llama' });
    expect(config.defaultModel).toBe('llama');
    expect(config.models.llama).toMatchObject({ upstreamModel: 'llama3.2', contextWindow: 8192, maxOutputTokens: 1024 });
    expect(config.models.tiny?.upstreamModel).toBe('qwen');
  });

  it('fails fast with a message naming the variable', () => {
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_COALESCE_MS: 'fast' })).toThrow(/AI_STREAM_COALESCE_MS/);
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_MODELS: 'bad entry' })).toThrow(ConfigError);
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_MODELS: 'x=anthropic:claude' })).toThrow(/no key/);
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_DEFAULT_MODEL: 'nope' })).toThrow(/AI_STREAM_DEFAULT_MODEL/);
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'ftp://x' })).toThrow(/OPENAI_BASE_URL/);
  });

  it('reads the CORS allowlist and limits', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'k', AI_STREAM_ALLOWED_ORIGINS: 'https://a.example/, https://b.example', AI_STREAM_MAX_MESSAGES: '5', AI_STREAM_COALESCE_MS: '0' });
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.limits.maxMessages).toBe(5);
    expect(config.coalesceMs).toBe(0);
  });
});
