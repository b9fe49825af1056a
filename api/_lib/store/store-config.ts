import { ConfigError } from '../config/config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Where shared state lives, read from the environment by `loadStoreConfig`. */
export type StoreConfig =
  | { kind: 'memory' }
  | {
      kind: 'redis';
      /** The Upstash REST URL (https, or http for a local stand-in). */
      url: string;
      /** The REST token; never logged. */
      token: string;
      /** A call slower than this is "down". */
      timeoutMs: number;
      /** Prefix of every key. */
      prefix: string;
    };

/**
 * Reads the store's configuration (docs/shared-state.md): Upstash Redis when
 * `UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN` are set, or Vercel's
 * `KV_REST_API_URL` and `KV_REST_API_TOKEN`; memory otherwise, or when
 * `AI_STREAM_STORE=memory`. Throws a ConfigError naming the variable when a value is
 * malformed or half of a pair is missing.
 *
 * @example loadStoreConfig({ UPSTASH_REDIS_REST_URL: 'https://eu1-x.upstash.io', UPSTASH_REDIS_REST_TOKEN: '…' })
 */
export function loadStoreConfig(env: Env = process.env): StoreConfig {
  const choice = env.AI_STREAM_STORE?.trim() || 'auto';
  if (choice !== 'auto' && choice !== 'memory' && choice !== 'upstash') {
    throw new ConfigError(`AI_STREAM_STORE must be memory or upstash; it is "${choice}".`);
  }
  const credentials = upstashCredentials(env);
  if (choice === 'memory' || (choice === 'auto' && !credentials)) return { kind: 'memory' };
  if (!credentials) {
    throw new ConfigError('AI_STREAM_STORE=upstash needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (or KV_REST_API_URL and KV_REST_API_TOKEN).');
  }
  const prefix = env.AI_STREAM_STORE_PREFIX?.trim() || 'ai-stream';
  if (!/^[\w.:-]{1,64}$/.test(prefix)) {
    throw new ConfigError(`AI_STREAM_STORE_PREFIX may hold letters, digits and _ . : - (at most 64); it is "${prefix}".`);
  }
  return { kind: 'redis', ...credentials, timeoutMs: timeout(env), prefix };
}

/** The Upstash pair, or Vercel KV's; a half-set pair is an error, not a silent fallback to memory. */
function upstashCredentials(env: Env): { url: string; token: string } | undefined {
  for (const [urlName, tokenName] of [
    ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'],
    ['KV_REST_API_URL', 'KV_REST_API_TOKEN'],
  ] as const) {
    const url = env[urlName]?.trim();
    const token = env[tokenName]?.trim();
    if (!url && !token) continue;
    if (!url) throw new ConfigError(`${tokenName} is set but ${urlName} is not.`);
    if (!token) throw new ConfigError(`${urlName} is set but ${tokenName} is not.`);
    // The client's own check: an http(s) URL (http for a local stand-in).
    if (!/^https?:\/\/[^\s#$./?].\S*$/.test(url)) throw new ConfigError(`${urlName} must be an http(s) URL.`);
    return { url: url.replace(/\/$/, ''), token };
  }
  return undefined;
}

function timeout(env: Env): number {
  const raw = env.AI_STREAM_STORE_TIMEOUT_MS?.trim();
  if (!raw) return 1000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 50 || value > 10_000) {
    throw new ConfigError(`AI_STREAM_STORE_TIMEOUT_MS must be a whole number from 50 to 10000; it is "${raw}".`);
  }
  return value;
}
