/**
 * Which providers and models exist, from the environment names users already know
 * (docs/providers.md). The browser only ever names an alias; everything it maps to
 * (provider, upstream model, bounds, fallbacks) is decided here.
 */
import type { ModelConfig, ProviderConfig, ProviderKind } from './config.js';
import { ConfigError } from './config-error.js';

type Env = Readonly<Record<string, string | undefined>>;


/** A model as the built-in lists know it, before it is tied to a provider. */
type KnownModel = Omit<ModelConfig, 'provider'>;

const OPENAI_MODELS: readonly KnownModel[] = [
  { alias: 'gpt-4o-mini', upstreamModel: 'gpt-4o-mini', contextWindow: 128_000, maxOutputTokens: 4_096, encoding: 'o200k_base' },
  { alias: 'gpt-4o', upstreamModel: 'gpt-4o', contextWindow: 128_000, maxOutputTokens: 4_096, encoding: 'o200k_base' },
  { alias: 'gpt-4.1-mini', upstreamModel: 'gpt-4.1-mini', contextWindow: 1_047_576, maxOutputTokens: 4_096, encoding: 'o200k_base' },
];
/** Reasoning models go through the Responses API, the one that streams their reasoning summaries. */
const OPENAI_RESPONSES_MODELS: readonly KnownModel[] = [
  { alias: 'o4-mini', upstreamModel: 'o4-mini', contextWindow: 200_000, maxOutputTokens: 8_192, encoding: 'o200k_base', thinkingBudget: 4_096 },
];
const ANTHROPIC_MODELS: readonly KnownModel[] = [
  { alias: 'claude-haiku', upstreamModel: 'claude-haiku-4-5', contextWindow: 200_000, maxOutputTokens: 8_192, encoding: 'o200k_base' },
  { alias: 'claude-sonnet', upstreamModel: 'claude-sonnet-4-5', contextWindow: 200_000, maxOutputTokens: 8_192, encoding: 'o200k_base' },
  { alias: 'claude-sonnet-thinking', upstreamModel: 'claude-sonnet-4-5', contextWindow: 200_000, maxOutputTokens: 8_192, encoding: 'o200k_base', thinkingBudget: 2_048 },
];
const GEMINI_MODELS: readonly KnownModel[] = [
  { alias: 'gemini-flash', upstreamModel: 'gemini-2.5-flash', contextWindow: 1_048_576, maxOutputTokens: 8_192, encoding: 'o200k_base' },
  { alias: 'gemini-pro', upstreamModel: 'gemini-2.5-pro', contextWindow: 1_048_576, maxOutputTokens: 8_192, encoding: 'o200k_base', thinkingBudget: 2_048 },
];
const OLLAMA_MODELS: readonly KnownModel[] = [
  { alias: 'llama3.2', upstreamModel: 'llama3.2', contextWindow: 128_000, maxOutputTokens: 4_096, encoding: 'o200k_base' },
  { alias: 'qwen3', upstreamModel: 'qwen3', contextWindow: 40_960, maxOutputTokens: 4_096, encoding: 'o200k_base', thinkingBudget: 2_048 },
];

/** The providers and models the environment declares, and the order in which a default is chosen. */
export interface ProviderSetup {
  providers: Record<string, ProviderConfig>;
  models: Record<string, ModelConfig>;
  /** The model a request without `model` gets (empty when nothing is configured). */
  defaultModel: string;
}

/**
 * Reads the providers (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, `GEMINI_API_KEY`,
 * `OLLAMA_HOST`, `AI_STREAM_PROVIDERS` for named OpenAI-compatible servers) and the
 * models: `AI_STREAM_MODELS` when set (it replaces the built-in lists, so an operator
 * can take a model away), else each configured provider's well-known models.
 */
export function loadProviders(env: Env): ProviderSetup {
  const providers: Record<string, ProviderConfig> = Object.create(null) as Record<string, ProviderConfig>;
  const builtIn: KnownModel[][] = [];
  const builtInOwners: string[] = [];
  const add = (name: string, config: ProviderConfig, models: readonly KnownModel[]): void => {
    providers[name] = config;
    builtIn.push([...models]);
    builtInOwners.push(name);
  };

  const openaiKey = env.OPENAI_API_KEY?.trim();
  if (openaiKey) {
    const baseUrl = url(env, 'OPENAI_BASE_URL', 'https://api.openai.com/v1');
    add('openai', { kind: 'openai', baseUrl, apiKey: openaiKey }, OPENAI_MODELS);
    add('openai-responses', { kind: 'openai-responses', baseUrl, apiKey: openaiKey }, OPENAI_RESPONSES_MODELS);
  }
  const anthropicKey = env.ANTHROPIC_API_KEY?.trim();
  if (anthropicKey) add('anthropic', { kind: 'anthropic', baseUrl: url(env, 'ANTHROPIC_BASE_URL', 'https://api.anthropic.com'), apiKey: anthropicKey }, ANTHROPIC_MODELS);
  const geminiKey = env.GEMINI_API_KEY?.trim() || env.GOOGLE_GENERATIVE_AI_API_KEY?.trim();
  if (geminiKey) add('gemini', { kind: 'gemini', baseUrl: url(env, 'GEMINI_BASE_URL', 'https://generativelanguage.googleapis.com'), apiKey: geminiKey }, GEMINI_MODELS);
  const ollamaHost = env.OLLAMA_HOST?.trim();
  if (ollamaHost) {
    const withScheme = /^https?:\/\//i.test(ollamaHost) ? ollamaHost : `http://${ollamaHost}`;
    add('ollama', { kind: 'ollama', baseUrl: url({ OLLAMA_HOST: withScheme }, 'OLLAMA_HOST', ''), apiKey: env.OLLAMA_API_KEY?.trim() ?? '' }, OLLAMA_MODELS);
  }
  for (const [name, config] of namedProviders(env)) add(name, config, []);

  const models: Record<string, ModelConfig> = Object.create(null) as Record<string, ModelConfig>;
  const declared = env.AI_STREAM_MODELS?.trim();
  if (declared) {
    for (const m of parseModelList(declared, providers)) models[m.alias] = m;
  } else {
    builtIn.forEach((list, i) => {
      for (const m of list) if (!(m.alias in models)) models[m.alias] = { ...m, provider: builtInOwners[i] ?? '' };
    });
  }

  const aliases = Object.keys(models);
  const defaultModel = env.AI_STREAM_DEFAULT_MODEL?.trim() || aliases[0] || '';
  if (defaultModel && !Object.hasOwn(models, defaultModel)) {
    throw new ConfigError(`AI_STREAM_DEFAULT_MODEL names "${defaultModel}", which is not one of the models: ${aliases.join(', ')}.`);
  }
  return { providers, models, defaultModel };
}

const PROVIDER_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const RESERVED = new Set(['openai', 'openai-responses', 'anthropic', 'gemini', 'ollama']);

/**
 * `AI_STREAM_PROVIDERS`: OpenAI-compatible servers by name, separated by commas or
 * newlines: `name=<baseUrl>[;key=<ENV_VAR>][;auth=bearer|api-key|none][;api=chat|responses]`.
 * The key is read from the named variable, so the list itself holds no secret.
 *
 * @example
 * AI_STREAM_PROVIDERS="groq=https://api.groq.com/openai/v1;key=GROQ_API_KEY, vllm=http://127.0.0.1:8000/v1;auth=none"
 */
function namedProviders(env: Env): Array<[string, ProviderConfig]> {
  const value = env.AI_STREAM_PROVIDERS?.trim();
  if (!value) return [];
  return value
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry): [string, ProviderConfig] => {
      const [head = '', ...options] = entry.split(';').map((s) => s.trim());
      const eq = head.indexOf('=');
      const name = head.slice(0, eq).trim();
      if (eq < 1 || !PROVIDER_NAME.test(name)) throw new ConfigError(`AI_STREAM_PROVIDERS entry "${entry}" is not name=<baseUrl>[;key=ENV][;auth=…][;api=…] with a lower-case name.`);
      if (RESERVED.has(name)) throw new ConfigError(`AI_STREAM_PROVIDERS may not redefine "${name}"; set its own variables instead.`);
      const baseUrl = url({ [name]: head.slice(eq + 1).trim() }, name, '', 'AI_STREAM_PROVIDERS');
      let apiKey = '';
      let auth: ProviderConfig['auth'] = 'bearer';
      let kind: ProviderKind = 'openai';
      for (const option of options) {
        const [key = '', val = ''] = option.split('=').map((s) => s.trim());
        if (key === 'key') {
          apiKey = env[val]?.trim() ?? '';
          if (!apiKey) throw new ConfigError(`AI_STREAM_PROVIDERS entry "${name}" reads its key from ${val}, which is not set.`);
        } else if (key === 'auth' && (val === 'bearer' || val === 'api-key' || val === 'none')) auth = val;
        else if (key === 'api' && (val === 'chat' || val === 'responses')) kind = val === 'chat' ? 'openai' : 'openai-responses';
        else throw new ConfigError(`AI_STREAM_PROVIDERS entry "${name}" has an unknown option "${option}".`);
      }
      return [name, { kind, baseUrl, apiKey, auth: apiKey ? auth : 'none' }];
    });
}

/**
 * `AI_STREAM_MODELS`: comma-separated `alias=provider:model[@contextWindow/maxOutputTokens][~thinkingBudget]`
 * entries; `|` chains fallbacks, tried in order when a provider fails before its first
 * token: `smart=anthropic:claude-sonnet-4-5|openai:gpt-4o`.
 */
function parseModelList(value: string, providers: Record<string, ProviderConfig>): ModelConfig[] {
  return value.split(',').map((entry) => {
    const eq = entry.indexOf('=');
    const alias = entry.slice(0, eq).trim();
    if (eq < 1 || !/^[\w.-]{1,100}$/.test(alias)) throw new ConfigError(`AI_STREAM_MODELS entry "${entry.trim()}" is not alias=provider:model[@context/maxOutput][~thinking].`);
    const [first, ...fallbacks] = entry
      .slice(eq + 1)
      .split('|')
      .map((route) => parseRoute(alias, route, entry, providers));
    if (!first) throw new ConfigError(`AI_STREAM_MODELS entry "${alias}" names no model.`);
    return fallbacks.length > 0 ? { ...first, fallbacks } : first;
  });
}

function parseRoute(alias: string, route: string, entry: string, providers: Record<string, ProviderConfig>): ModelConfig {
  const match = /^\s*([a-z][a-z0-9-]*):([^@~\s|]+)(?:@(\d+)\/(\d+))?(?:~(\d+))?\s*$/.exec(route);
  if (!match) throw new ConfigError(`AI_STREAM_MODELS entry "${entry.trim()}" is not alias=provider:model[@context/maxOutput][~thinking].`);
  const [, provider = '', upstreamModel = '', ctx, out, thinking] = match;
  if (!Object.hasOwn(providers, provider)) {
    throw new ConfigError(`AI_STREAM_MODELS entry "${alias}" uses provider "${provider}", which is not configured (set its key, or declare it in AI_STREAM_PROVIDERS).`);
  }
  const model: ModelConfig = {
    alias,
    provider,
    upstreamModel,
    contextWindow: ctx ? Number(ctx) : 128_000,
    maxOutputTokens: out ? Number(out) : 4_096,
    encoding: upstreamModel.startsWith('gpt-3.5') || upstreamModel.startsWith('gpt-4-') ? 'cl100k_base' : 'o200k_base',
  };
  if (thinking) model.thinkingBudget = Number(thinking);
  return model;
}

function url(env: Env, name: string, fallback: string, variable = name): string {
  const value = (env[name]?.trim() || fallback).replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${variable === name ? name : `${variable} (${name})`} is not a URL: "${value}".`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ConfigError(`${variable} must be an http(s) URL.`);
  if (parsed.username || parsed.password || parsed.search) throw new ConfigError(`${variable}: put keys in their own variable, not in the URL.`);
  return value;
}
