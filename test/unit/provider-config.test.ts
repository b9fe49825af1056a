import { describe, expect, it } from 'vitest';
import { loadProviders } from '../../api/_lib/config/provider-config.js';

describe('provider configuration', () => {
  it('one key: its provider, its built-in aliases, and its first alias as the default', () => {
    const setup = loadProviders({ ANTHROPIC_API_KEY: 'sk-ant-x' });
    expect(Object.keys(setup.providers)).toEqual(['anthropic']);
    expect(setup.providers.anthropic).toEqual({ kind: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant-x' });
    expect(Object.keys(setup.models)).toEqual(['claude-haiku', 'claude-sonnet', 'claude-sonnet-thinking']);
    expect(setup.defaultModel).toBe('claude-haiku');
  });

  it('several keys: the documented order decides the default unless AI_STREAM_DEFAULT_MODEL does', () => {
    const env = { GEMINI_API_KEY: 'g', OLLAMA_HOST: '127.0.0.1:11434', ANTHROPIC_API_KEY: 'a' };
    expect(loadProviders(env).defaultModel).toBe('claude-haiku');
    expect(loadProviders({ ...env, AI_STREAM_DEFAULT_MODEL: 'gemini-pro' }).defaultModel).toBe('gemini-pro');
    expect(loadProviders(env).providers.ollama?.baseUrl).toBe('http://127.0.0.1:11434');
  });

  it('GOOGLE_GENERATIVE_AI_API_KEY works as well as GEMINI_API_KEY', () => {
    expect(loadProviders({ GOOGLE_GENERATIVE_AI_API_KEY: 'g' }).providers.gemini?.apiKey).toBe('g');
  });

  it("the operator's AI_STREAM_MODELS replaces the built-in list", () => {
    const setup = loadProviders({ OPENAI_API_KEY: 'k', AI_STREAM_MODELS: 'cheap=openai:gpt-4o-mini@128000/512', AI_STREAM_DEFAULT_MODEL: 'cheap' });
    expect(Object.keys(setup.models)).toEqual(['cheap']);
    expect(setup.models.cheap).toMatchObject({ provider: 'openai', upstreamModel: 'gpt-4o-mini', maxOutputTokens: 512 });
  });

  it('named OpenAI-compatible providers read their key from the variable they name, with the header style asked for', () => {
    const setup = loadProviders({
      AZURE_KEY: 'az',
      AI_STREAM_PROVIDERS: 'azure=https://r.openai.azure.com/openai/v1;key=AZURE_KEY;auth=api-key\nvllm=http://127.0.0.1:8000/v1;auth=none;api=responses',
      AI_STREAM_MODELS: 'gpt=azure:my-deployment, local=vllm:Qwen/Qwen3-8B@32768/2048~1024',
    });
    expect(setup.providers.azure).toEqual({ kind: 'openai', baseUrl: 'https://r.openai.azure.com/openai/v1', apiKey: 'az', auth: 'api-key' });
    expect(setup.providers.vllm).toEqual({ kind: 'openai-responses', baseUrl: 'http://127.0.0.1:8000/v1', apiKey: '', auth: 'none' });
    expect(setup.models.local).toMatchObject({ upstreamModel: 'Qwen/Qwen3-8B', contextWindow: 32768, maxOutputTokens: 2048, thinkingBudget: 1024 });
  });

  it('a fallback chain keeps its routes in order', () => {
    const setup = loadProviders({ ANTHROPIC_API_KEY: 'a', OPENAI_API_KEY: 'o', AI_STREAM_MODELS: 'smart=anthropic:claude-sonnet-4-5~2048|openai:gpt-4o|ollama:llama3.2:3b', OLLAMA_HOST: 'http://h:1' });
    const smart = setup.models.smart;
    expect(smart).toMatchObject({ provider: 'anthropic', thinkingBudget: 2048 });
    expect(smart?.fallbacks?.map((f) => `${f.provider}:${f.upstreamModel}`)).toEqual(['openai:gpt-4o', 'ollama:llama3.2:3b']);
  });

  it('model and provider maps have no prototype, so "__proto__" is not an alias', () => {
    const setup = loadProviders({ OPENAI_API_KEY: 'k' });
    expect('__proto__' in setup.models).toBe(false);
    expect('constructor' in setup.providers).toBe(false);
  });

  it.each([
    [{ AI_STREAM_PROVIDERS: 'groq=https://api.groq.com/openai/v1;key=GROQ_API_KEY' }, /GROQ_API_KEY, which is not set/],
    [{ AI_STREAM_PROVIDERS: 'openai=https://x.example/v1' }, /may not redefine "openai"/],
    [{ AI_STREAM_PROVIDERS: 'Bad Name=https://x.example' }, /not name=<baseUrl>/],
    [{ AI_STREAM_PROVIDERS: 'x=https://x.example/v1;color=blue' }, /unknown option "color=blue"/],
    [{ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'https://user:pw@x.example/v1' }, /not in the URL/],
    [{ GEMINI_API_KEY: 'g', GEMINI_BASE_URL: 'https://g.example?key=AIza' }, /not in the URL/],
    [{ OPENAI_API_KEY: 'k', AI_STREAM_MODELS: 'x=anthropic:claude' }, /provider "anthropic", which is not configured/],
    [{ OPENAI_API_KEY: 'k', AI_STREAM_MODELS: 'x=openai' }, /not alias=provider:model/],
    [{ OPENAI_API_KEY: 'k', AI_STREAM_DEFAULT_MODEL: 'toString' }, /not one of the models/],
  ])('refuses a malformed setting with a message naming it: %j', (env, message) => {
    expect(() => loadProviders(env)).toThrow(message);
  });
});
