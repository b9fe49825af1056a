import type { LocalUpstream } from './server.js';

/** Variables that name a provider: with none of them set, `npm start` stands the local upstream in for all. */
export const PROVIDER_VARIABLES = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY', 'OLLAMA_HOST', 'AI_STREAM_PROVIDERS'] as const;

/** True when the environment configures no provider at all. */
export function hasNoProvider(env: Readonly<Record<string, string | undefined>>): boolean {
  return PROVIDER_VARIABLES.every((name) => !env[name]?.trim());
}

/**
 * The environment that points every provider at the local upstream, each at the base
 * URL its official client would use against the real API: OpenAI (Chat Completions and
 * Responses) at `/v1`, Anthropic and Gemini and Ollama at the origin. The key is sent
 * as each provider expects and checked only for presence.
 */
export function localProviderEnv(upstream: LocalUpstream, key: string): Record<string, string> {
  return {
    OPENAI_API_KEY: key,
    OPENAI_BASE_URL: upstream.url,
    ANTHROPIC_API_KEY: key,
    ANTHROPIC_BASE_URL: upstream.origin,
    GEMINI_API_KEY: key,
    GEMINI_BASE_URL: upstream.origin,
    OLLAMA_HOST: upstream.origin,
  };
}
