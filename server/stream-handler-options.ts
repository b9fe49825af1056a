import type { ProviderKind } from '../api/_lib/config/config.js';
import type { Logger } from '../api/_lib/ops/log.js';
import type { IdentifyHook } from '../api/_lib/request/client-identity.js';
import type { StoreDownPolicy } from '../api/_lib/rate-limit/rate-limit-config.js';
import type { SharedStore } from '../api/_lib/store/shared-store.js';

/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** One upstream provider, configured in code. The key never leaves the server. */
export interface ProviderOptions {
  /** The wire format it speaks. @default 'openai' (Chat Completions, also for OpenAI-compatible servers) */
  kind?: ProviderKind;
  /** Base URL as the official client takes it (`…/v1` for OpenAI-style servers). @default the provider's public API */
  baseUrl?: string;
  /** The provider's API key; leave out for a server that takes none (a local Ollama, vLLM). */
  apiKey?: string;
  /** Where an OpenAI-style key goes. @default 'bearer' with a key, 'none' without */
  auth?: 'bearer' | 'api-key' | 'none';
}

/** One model a client may ask for by its alias. A string `'provider:model'` takes the defaults. */
export interface ModelOptions {
  /** A provider name: one of `providers`, or one the environment configures (`openai`, `anthropic`, …). */
  provider: string;
  /** The provider's own model name. */
  model: string;
  /** @default 128000 */
  contextWindow?: number;
  /** Upper bound of a request's `maxTokens`. @default 4096 */
  maxOutputTokens?: number;
  /** Asks the model to think, up to this many tokens, and streams its reasoning. */
  thinkingBudget?: number;
  /** Tried in order when this model's provider fails before its first token. */
  fallbacks?: ReadonlyArray<string | Omit<ModelOptions, 'fallbacks'>>;
}

/**
 * Request bounds, each the twin of an environment variable (docs/configuration.md) and
 * held to the same range; an error names that variable.
 */
export interface LimitOptions {
  /** `AI_STREAM_MAX_BODY_BYTES` */
  maxBodyBytes?: number;
  /** `AI_STREAM_MAX_MESSAGES` */
  maxMessages?: number;
  /** `AI_STREAM_MAX_MESSAGE_CHARS` */
  maxMessageChars?: number;
  /** `AI_STREAM_MAX_TOTAL_CHARS` */
  maxTotalChars?: number;
  /** `AI_STREAM_MAX_SCHEMA_BYTES` */
  maxSchemaBytes?: number;
  /** `AI_STREAM_BODY_TIMEOUT_MS` */
  bodyTimeoutMs?: number;
  /** `AI_STREAM_IDLE_TIMEOUT_MS` */
  idleTimeoutMs?: number;
  /** `AI_STREAM_FIRST_BYTE_TIMEOUT_MS` */
  firstByteTimeoutMs?: number;
  /** `AI_STREAM_FIRST_TOKEN_BUDGET_MS` */
  firstTokenBudgetMs?: number;
}

/** Per-client rate limits, in the grammar of their variables (docs/shared-state.md). Each is off unless set. */
export interface RateLimitOptions {
  /** Requests per client per sliding window, e.g. `'20/60s'` (`AI_STREAM_RATE_REQUESTS`). */
  requests?: string;
  /** Streams open at once per client (`AI_STREAM_RATE_STREAMS`). */
  streams?: number;
  /** Prompt + output tokens per client per window, e.g. `'100000/1h'` (`AI_STREAM_RATE_TOKENS`). */
  tokens?: string;
  /** Admit (`open`) or refuse (`closed`) while the store is down (`AI_STREAM_RATE_ON_STORE_DOWN`). @default 'open' */
  onStoreDown?: StoreDownPolicy;
}

/** Resume after a dropped connection (docs/shared-state.md, "Resume"), in the grammar of its variables. */
export interface ResumeOptions {
  /** `auto` logs answers with a shared store, `on` with any store (one long-running server), `off` never (`AI_STREAM_RESUME`). @default 'auto' */
  mode?: 'auto' | 'on' | 'off';
  /** How long an answer whose readers all left goes on before its upstream is aborted (`AI_STREAM_RESUME_GRACE_MS`). @default 15000 */
  graceMs?: number;
  /** How often a reader on another instance reads the log (`AI_STREAM_RESUME_POLL_MS`). @default 150 */
  pollMs?: number;
}

/**
 * How {@link createStreamHandler} is configured. Everything left out comes from `env`
 * (the variables of docs/configuration.md, as the Vercel function reads them), so
 * `createStreamHandler()` with no options is configured by the environment alone.
 */
export interface StreamHandlerOptions {
  /** Where the parts left out here are read from. @default process.env */
  env?: Env;
  /** The providers, by name (`[a-z][a-z0-9-]*`). When given, they replace the environment's, and `models` must name the aliases. */
  providers?: Record<string, ProviderOptions>;
  /** The aliases clients may pick: `{ fast: 'openai:gpt-4o-mini' }`. When given, they replace the environment's (`AI_STREAM_MODELS`). */
  models?: Record<string, string | ModelOptions>;
  /** The alias a request without `model` gets. @default the first alias (`AI_STREAM_DEFAULT_MODEL`) */
  defaultModel?: string;
  /** `maxTokens` of a request that names none (`AI_STREAM_DEFAULT_MAX_TOKENS`). */
  defaultMaxTokens?: number;
  limits?: LimitOptions;
  /** Origins allowed to call from a browser, or `['*']` (`AI_STREAM_ALLOWED_ORIGINS`). */
  allowedOrigins?: readonly string[];
  /** The origins this server's own pages are served from (`AI_STREAM_PUBLIC_ORIGIN`). */
  publicOrigins?: readonly string[];
  rateLimits?: RateLimitOptions;
  resume?: ResumeOptions;
  /**
   * Shared state (stream ownership, cancel flags, rate-limit counters): create it once
   * per process, e.g. `createStore({ kind: 'redis', … })`. @default from the environment
   * (Upstash when `UPSTASH_REDIS_REST_URL` is set), else memory
   */
  store?: SharedStore;
  /** Proxies in front of the server that may name the client in `x-forwarded-for` (`AI_STREAM_TRUST_PROXY`). @default 0 */
  trustProxy?: number;
  /**
   * The site's own identity of a request (a signed-in user's id), used before the
   * address for rate limits and for who may cancel a stream. Never something the
   * client can set freely.
   */
  identify?: IdentifyHook;
  /** Bearer token of `GET ?status` (`AI_STREAM_STATUS_TOKEN`); off when unset. */
  statusToken?: string;
  /** Where log lines go. @default one JSON line per event on stdout, keys scrubbed */
  log?: Logger;
}
