import { ConfigError, loadConfig, type ModelConfig, type ProviderConfig, type ProviderKind, type StreamConfig } from '../api/_lib/config/config.js';
import type { StreamHandlerDeps } from '../api/_lib/handler.js';
import { loadClientIdentityConfig } from '../api/_lib/request/client-identity.js';
import { loadRateLimitConfig } from '../api/_lib/rate-limit/rate-limit-config.js';
import { createStore } from '../api/_lib/store/create-store.js';
import { loadStoreConfig } from '../api/_lib/store/store-config.js';
import type { Env, LimitOptions, ModelOptions, ProviderOptions, StreamHandlerOptions } from './stream-handler-options.js';

/** What the core handler takes, made from the options and the environment. */
export interface ResolvedOptions {
  config: StreamConfig;
  deps: StreamHandlerDeps;
}

/**
 * The options as the core handler's config and dependencies. Every scalar option is
 * written over its environment variable and read back by the same loaders the Vercel
 * function uses, so code and environment share one set of bounds and error messages.
 * Providers and models, which have no one-line form for code, are checked here.
 * Throws a ConfigError naming the option or variable at fault.
 */
export function resolveOptions(options: StreamHandlerOptions): ResolvedOptions {
  const base = options.env ?? process.env;
  const inCode = options.providers !== undefined || options.models !== undefined;
  const env: Env = { ...base, ...asVariables(options, inCode) };
  const config = loadConfig(env);
  if (inCode) {
    const providers = options.providers ? providersFrom(options.providers) : config.providers;
    if (!options.models) throw new ConfigError('createStreamHandler: `providers` given without `models`; name the aliases clients may pick.');
    const models = modelsFrom(options.models, providers);
    const defaultModel = options.defaultModel ?? Object.keys(models)[0] ?? '';
    if (defaultModel && !Object.hasOwn(models, defaultModel)) {
      throw new ConfigError(`createStreamHandler: defaultModel "${defaultModel}" is not one of the models: ${Object.keys(models).join(', ')}.`);
    }
    Object.assign(config, { providers, models, defaultModel });
  }
  const deps: StreamHandlerDeps = {
    // Made only when none is given: an Upstash store from the environment opens connections.
    store: options.store ?? createStore(loadStoreConfig(env)),
    rateLimits: loadRateLimitConfig(env),
    clientIdentity: loadClientIdentityConfig(env),
  };
  if (options.identify) deps.identify = options.identify;
  if (options.log) deps.log = options.log;
  return { config, deps };
}

const LIMIT_VARIABLES: Record<keyof LimitOptions, string> = {
  maxBodyBytes: 'AI_STREAM_MAX_BODY_BYTES',
  maxMessages: 'AI_STREAM_MAX_MESSAGES',
  maxMessageChars: 'AI_STREAM_MAX_MESSAGE_CHARS',
  maxTotalChars: 'AI_STREAM_MAX_TOTAL_CHARS',
  maxSchemaBytes: 'AI_STREAM_MAX_SCHEMA_BYTES',
  bodyTimeoutMs: 'AI_STREAM_BODY_TIMEOUT_MS',
  idleTimeoutMs: 'AI_STREAM_IDLE_TIMEOUT_MS',
  firstByteTimeoutMs: 'AI_STREAM_FIRST_BYTE_TIMEOUT_MS',
  firstTokenBudgetMs: 'AI_STREAM_FIRST_TOKEN_BUDGET_MS',
};

/** The scalar options as the variables they stand for; those left out are absent. */
function asVariables(options: StreamHandlerOptions, inCode: boolean): Record<string, string> {
  const vars: Record<string, string> = {};
  const put = (name: string, value: string | number | readonly string[] | undefined): void => {
    if (value !== undefined) vars[name] = typeof value === 'object' ? value.join(',') : String(value);
  };
  for (const [key, name] of Object.entries(LIMIT_VARIABLES)) put(name, options.limits?.[key as keyof LimitOptions]);
  put('AI_STREAM_DEFAULT_MAX_TOKENS', options.defaultMaxTokens);
  put('AI_STREAM_ALLOWED_ORIGINS', options.allowedOrigins);
  put('AI_STREAM_PUBLIC_ORIGIN', options.publicOrigins);
  put('AI_STREAM_RATE_REQUESTS', options.rateLimits?.requests);
  put('AI_STREAM_RATE_STREAMS', options.rateLimits?.streams);
  put('AI_STREAM_RATE_TOKENS', options.rateLimits?.tokens);
  put('AI_STREAM_RATE_ON_STORE_DOWN', options.rateLimits?.onStoreDown);
  put('AI_STREAM_RESUME', options.resume?.mode);
  put('AI_STREAM_RESUME_GRACE_MS', options.resume?.graceMs);
  put('AI_STREAM_RESUME_POLL_MS', options.resume?.pollMs);
  put('AI_STREAM_TRUST_PROXY', options.trustProxy);
  put('AI_STREAM_STATUS_TOKEN', options.statusToken);
  // Code-declared models are checked here; the environment's default alias names none of them.
  if (inCode) vars.AI_STREAM_DEFAULT_MODEL = '';
  else put('AI_STREAM_DEFAULT_MODEL', options.defaultModel);
  return vars;
}

/** The public API each kind is reached at when `baseUrl` is left out. */
const OFFICIAL_BASE_URL: Record<ProviderKind, string> = {
  openai: 'https://api.openai.com/v1',
  'openai-responses': 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
  ollama: 'http://127.0.0.1:11434',
};

const PROVIDER_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const ALIAS = /^[\w.-]{1,100}$/;

function providersFrom(given: Record<string, ProviderOptions>): Record<string, ProviderConfig> {
  const providers = Object.create(null) as Record<string, ProviderConfig>;
  for (const [name, options] of Object.entries(given)) {
    if (!PROVIDER_NAME.test(name)) throw new ConfigError(`createStreamHandler: provider name "${name}" must be lower case: letters, digits and dashes.`);
    const kind = options.kind ?? 'openai';
    if (!Object.hasOwn(OFFICIAL_BASE_URL, kind)) throw new ConfigError(`createStreamHandler: provider "${name}" has an unknown kind "${String(kind)}".`);
    const apiKey = options.apiKey?.trim() ?? '';
    providers[name] = {
      kind,
      baseUrl: httpUrl(`providers.${name}.baseUrl`, options.baseUrl ?? OFFICIAL_BASE_URL[kind]),
      apiKey,
      auth: options.auth ?? (apiKey ? 'bearer' : 'none'),
    };
  }
  return providers;
}

function modelsFrom(given: Record<string, string | ModelOptions>, providers: Record<string, ProviderConfig>): Record<string, ModelConfig> {
  const models = Object.create(null) as Record<string, ModelConfig>;
  for (const [alias, options] of Object.entries(given)) {
    if (!ALIAS.test(alias)) throw new ConfigError(`createStreamHandler: model alias "${alias}" must be 1–100 letters, digits, '.', '_' or '-'.`);
    const { fallbacks = [], ...first } = typeof options === 'string' ? parseShortModel(alias, options) : options;
    const model = modelConfig(alias, first, providers);
    const chain = fallbacks.map((fallback) => modelConfig(alias, typeof fallback === 'string' ? parseShortModel(alias, fallback) : fallback, providers));
    models[alias] = chain.length > 0 ? { ...model, fallbacks: chain } : model;
  }
  return models;
}

function parseShortModel(alias: string, value: string): ModelOptions {
  const colon = value.indexOf(':');
  if (colon < 1 || colon === value.length - 1) throw new ConfigError(`createStreamHandler: model "${alias}" is "${value}"; write it as 'provider:model'.`);
  return { provider: value.slice(0, colon).trim(), model: value.slice(colon + 1).trim() };
}

function modelConfig(alias: string, options: Omit<ModelOptions, 'fallbacks'>, providers: Record<string, ProviderConfig>): ModelConfig {
  if (!Object.hasOwn(providers, options.provider)) {
    throw new ConfigError(`createStreamHandler: model "${alias}" uses provider "${options.provider}", which is not configured.`);
  }
  const upstreamModel = options.model.trim();
  if (!upstreamModel) throw new ConfigError(`createStreamHandler: model "${alias}" names no upstream model.`);
  const model: ModelConfig = {
    alias,
    provider: options.provider,
    upstreamModel,
    contextWindow: count(`models.${alias}.contextWindow`, options.contextWindow, 128_000, 16, 100_000_000),
    maxOutputTokens: count(`models.${alias}.maxOutputTokens`, options.maxOutputTokens, 4_096, 1, 10_000_000),
    // The same rule as AI_STREAM_MODELS: only the older OpenAI models count in cl100k.
    encoding: upstreamModel.startsWith('gpt-3.5') || upstreamModel.startsWith('gpt-4-') ? 'cl100k_base' : 'o200k_base',
  };
  if (options.thinkingBudget !== undefined) model.thinkingBudget = count(`models.${alias}.thinkingBudget`, options.thinkingBudget, 0, 1, 1_000_000);
  return model;
}

function count(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`createStreamHandler: ${name} must be a whole number from ${min} to ${max}; it is ${value}.`);
  return value;
}

/** An http(s) base URL without credentials or query, trailing slashes dropped (as the variables are read). */
function httpUrl(name: string, value: string): string {
  const trimmed = value.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ConfigError(`createStreamHandler: ${name} is not a URL: "${value}".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`createStreamHandler: ${name} must be an http(s) URL.`);
  if (url.username || url.password || url.search) throw new ConfigError(`createStreamHandler: ${name}: put keys in apiKey, not in the URL.`);
  return trimmed;
}
