import { ConfigError } from '../config/config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** `n` per window, e.g. `20/60s`. */
export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/** What a limit does while the store is down: admit (open) or refuse (closed). */
export type StoreDownPolicy = 'open' | 'closed';

/** The rate limits; each is off (absent) unless its variable is set. */
export interface RateLimitConfig {
  /** `AI_STREAM_RATE_REQUESTS`: requests per client per sliding window. */
  requests?: WindowLimit;
  /** `AI_STREAM_RATE_STREAMS`: streams open at once per client. */
  streams?: number;
  /** `AI_STREAM_RATE_TOKENS`: prompt + output tokens per client per sliding window. */
  tokens?: WindowLimit;
  /** `AI_STREAM_RATE_ON_STORE_DOWN`. @default 'open' */
  onStoreDown: StoreDownPolicy;
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The longest window: a day. Counters live twice the window, and nothing here needs more. */
const MAX_WINDOW_MS = UNIT_MS.d;

/**
 * Parses `<n>/<window>` with the duration grammar of `@upstash/ratelimit`
 * (`60s`, `1 h`, `500ms`; units ms, s, m, h, d).
 */
export function parseWindowLimit(name: string, raw: string): WindowLimit {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s?(ms|s|m|h|d)\s*$/.exec(raw);
  const limit = Number(match?.[1]);
  const windowMs = Number(match?.[2]) * UNIT_MS[(match?.[3] ?? 's') as keyof typeof UNIT_MS];
  if (!match || limit < 1 || limit > 1_000_000_000 || windowMs < 1 || windowMs > MAX_WINDOW_MS) {
    throw new ConfigError(`${name} must be <count>/<window> such as 20/60s or 100000/1h (count ≥ 1, window up to 1d); it is "${raw}".`);
  }
  return { limit, windowMs };
}

/**
 * Reads the rate limits from the environment (docs/shared-state.md). Throws a
 * ConfigError naming the variable when a value is malformed.
 *
 * @example loadRateLimitConfig({ AI_STREAM_RATE_REQUESTS: '20/60s', AI_STREAM_RATE_STREAMS: '2' })
 */
export function loadRateLimitConfig(env: Env = process.env): RateLimitConfig {
  const requests = env.AI_STREAM_RATE_REQUESTS?.trim();
  const streams = env.AI_STREAM_RATE_STREAMS?.trim();
  const tokens = env.AI_STREAM_RATE_TOKENS?.trim();
  const onStoreDown = env.AI_STREAM_RATE_ON_STORE_DOWN?.trim() || 'open';
  if (onStoreDown !== 'open' && onStoreDown !== 'closed') {
    throw new ConfigError(`AI_STREAM_RATE_ON_STORE_DOWN must be open or closed; it is "${onStoreDown}".`);
  }
  const config: RateLimitConfig = { onStoreDown };
  if (requests) config.requests = parseWindowLimit('AI_STREAM_RATE_REQUESTS', requests);
  if (tokens) config.tokens = parseWindowLimit('AI_STREAM_RATE_TOKENS', tokens);
  if (streams) {
    const value = Number(streams);
    if (!/^\d+$/.test(streams) || value < 1 || value > 1_000) {
      throw new ConfigError(`AI_STREAM_RATE_STREAMS must be a whole number from 1 to 1000; it is "${streams}".`);
    }
    config.streams = value;
  }
  return config;
}
