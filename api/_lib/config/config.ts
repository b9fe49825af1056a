/**
 * Environment → typed configuration. Every size, count and cost bound the server
 * enforces lives here, so `docs/configuration.md` can list them in one place.
 */

import { ConfigError } from './config-error.js';
import { loadProviders } from './provider-config.js';
import { loadResumeConfig, type ResumeConfig } from './resume-config.js';

/** How one upstream provider is reached. The key never leaves the server. */
export interface ProviderConfig {
  /** Adapter that speaks this provider's wire format. */
  kind: ProviderKind;
  /** Base URL ending in `/v1`, as the official clients expect. */
  baseUrl: string;
  apiKey: string;
  /** Where an OpenAI-style key goes: `Authorization: Bearer` (default), Azure's `api-key`, or nowhere. */
  auth?: 'bearer' | 'api-key' | 'none';
}

/** The wire formats the server speaks, one adapter each (api/_lib/providers/). */
export type ProviderKind = 'openai' | 'openai-responses' | 'anthropic' | 'gemini' | 'ollama';

/** A model the browser may ask for, by alias. */
export interface ModelConfig {
  alias: string;
  provider: string;
  /** The provider's own model name. */
  upstreamModel: string;
  contextWindow: number;
  /** Upper bound for `maxTokens`. A request naming none gets `defaultMaxTokens`, capped by this. */
  maxOutputTokens: number;
  encoding: 'o200k_base' | 'cl100k_base';
  /** Tried in order when this model's provider fails before its first token (`|` in AI_STREAM_MODELS). */
  fallbacks?: ModelConfig[];
  /** Asks the model to think (up to this many tokens where the provider takes a budget) and streams its reasoning. */
  thinkingBudget?: number;
}

export interface Limits {
  maxBodyBytes: number;
  maxMessages: number;
  maxMessageChars: number;
  maxTotalChars: number;
  maxSchemaBytes: number;
  /** Time without an upstream byte before the stream fails. */
  idleTimeoutMs: number;
  /** Time to receive the whole request body before `408 request_timeout`. */
  bodyTimeoutMs: number;
  /** Per attempt: time from sending the request to the first byte of its body; longer, and the attempt fails (retryable). */
  firstByteTimeoutMs: number;
  /** The whole answer, across retries: time to its first token; longer, and it fails with `upstream_timeout`. */
  firstTokenBudgetMs: number;
}

export interface RetryConfig {
  /** Attempts after the first one. */
  maxRetries: number;
  baseDelayMs: number;
  /** The longest Retry-After the server will wait; longer answers fail at once. */
  maxRetryAfterMs: number;
}

export interface StreamConfig {
  providers: Record<string, ProviderConfig>;
  models: Record<string, ModelConfig>;
  defaultModel: string;
  /** `maxTokens` of a request that names none (capped by the model's `maxOutputTokens`). */
  defaultMaxTokens: number;
  limits: Limits;
  retry: RetryConfig;
  /** Origins allowed to call from a browser; `*` allows any. The server's own origins need no entry. */
  allowedOrigins: string[];
  /**
   * The origins this server's own pages are served from, known from configuration
   * (`AI_STREAM_PUBLIC_ORIGIN`, Vercel's system variables) or from code (the demo
   * server), never from the request's Host header, which DNS rebinding controls.
   */
  ownOrigins: string[];
  /** Bearer token of the status endpoint; undefined keeps the endpoint off (404). */
  statusToken: string | undefined;
  /** Tokens after the first are sent at most this often (ms); 0 sends every delta. */
  coalesceMs: number;
  heartbeatMs: number;
  /** Resume after a dropped connection (`AI_STREAM_RESUME*`). @default DEFAULT_RESUME_CONFIG */
  resume?: ResumeConfig;
}

export { ConfigError };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the configuration from environment variables (see docs/configuration.md).
 * Throws a ConfigError naming the variable when a value is malformed.
 */
export function loadConfig(env: Env = process.env): StreamConfig {
  const { providers, models, defaultModel } = loadProviders(env);

  return {
    providers,
    models,
    defaultModel,
    defaultMaxTokens: int(env, 'AI_STREAM_DEFAULT_MAX_TOKENS', 1_024, 1, 1_000_000),
    limits: {
      maxBodyBytes: int(env, 'AI_STREAM_MAX_BODY_BYTES', 256 * 1024, 1_024, 10 * 1024 * 1024),
      maxMessages: int(env, 'AI_STREAM_MAX_MESSAGES', 100, 1, 1_000),
      maxMessageChars: int(env, 'AI_STREAM_MAX_MESSAGE_CHARS', 32_000, 1, 1_000_000),
      maxTotalChars: int(env, 'AI_STREAM_MAX_TOTAL_CHARS', 200_000, 1, 5_000_000),
      maxSchemaBytes: int(env, 'AI_STREAM_MAX_SCHEMA_BYTES', 16 * 1024, 0, 1024 * 1024),
      idleTimeoutMs: int(env, 'AI_STREAM_IDLE_TIMEOUT_MS', 60_000, 100, 600_000),
      bodyTimeoutMs: int(env, 'AI_STREAM_BODY_TIMEOUT_MS', 10_000, 100, 120_000),
      firstByteTimeoutMs: int(env, 'AI_STREAM_FIRST_BYTE_TIMEOUT_MS', 20_000, 100, 600_000),
      firstTokenBudgetMs: int(env, 'AI_STREAM_FIRST_TOKEN_BUDGET_MS', 45_000, 100, 600_000),
    },
    retry: {
      maxRetries: int(env, 'AI_STREAM_MAX_RETRIES', 3, 0, 10),
      baseDelayMs: int(env, 'AI_STREAM_RETRY_BASE_MS', 1_000, 0, 60_000),
      maxRetryAfterMs: int(env, 'AI_STREAM_MAX_RETRY_AFTER_MS', 20_000, 0, 120_000),
    },
    allowedOrigins: list(env.AI_STREAM_ALLOWED_ORIGINS).map((o) => (o === '*' ? o : origin('AI_STREAM_ALLOWED_ORIGINS', o))),
    ownOrigins: ownOrigins(env),
    statusToken: statusToken(env),
    coalesceMs: int(env, 'AI_STREAM_COALESCE_MS', 100, 0, 5_000),
    heartbeatMs: int(env, 'AI_STREAM_HEARTBEAT_MS', 15_000, 1_000, 120_000),
    resume: loadResumeConfig(env),
  };
}

/**
 * `AI_STREAM_PUBLIC_ORIGIN` (comma-separated), else nothing; plus the https origins
 * Vercel names in its system variables (host names without a scheme).
 */
function ownOrigins(env: Env): string[] {
  const origins = list(env.AI_STREAM_PUBLIC_ORIGIN).map((o) => origin('AI_STREAM_PUBLIC_ORIGIN', o));
  for (const name of ['VERCEL_URL', 'VERCEL_BRANCH_URL', 'VERCEL_PROJECT_PRODUCTION_URL'] as const) {
    const host = env[name]?.trim();
    if (host) origins.push(origin(name, `https://${host}`));
  }
  return [...new Set(origins)];
}

/** At least 16 characters: the endpoint is only as private as its token is hard to guess. */
function statusToken(env: Env): string | undefined {
  const token = env.AI_STREAM_STATUS_TOKEN?.trim();
  if (!token) return undefined;
  if (token.length < 16 || /\s/.test(token)) throw new ConfigError('AI_STREAM_STATUS_TOKEN must be at least 16 characters long, without spaces.');
  return token;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** An http(s) origin in the form browsers send it (`https://shop.example`: lower case, no default port, no path). */
function origin(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} entry "${value}" is not an origin such as https://shop.example.`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || stripSlash(url.pathname) !== '' || url.search || url.hash || url.username) {
    throw new ConfigError(`${name} entry "${value}" is not an origin such as https://shop.example (scheme and host, no path).`);
  }
  return url.origin;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; it is "${raw}".`);
  }
  return n;
}

function stripSlash(s: string): string {
  return s.replace(/\/+$/, '');
}
