import { loadConfig } from '../../api/_lib/config/config.js';
import { ADAPTERS } from '../../api/_lib/upstream/providers/adapters.js';
import { normalizeRequest } from '../../api/_lib/request/request-schema.js';
import type { WireFormat } from './load-client.js';

/** The provider paths the server benchmark measures, each through one alias of the shipped model list. */
export type ProviderRoute = 'openai' | 'anthropic' | 'gemini';

/** How the benchmark reaches one provider path. */
export interface ProviderRouteInfo {
  /** The alias the browser names; it picks the provider (docs/providers.md). */
  alias: string;
  /** Row label, e.g. "Anthropic Messages". */
  label: string;
  /** How the load client reads the provider's own stream through the pass-through. */
  format: WireFormat;
}

export const PROVIDER_ROUTES: Readonly<Record<ProviderRoute, ProviderRouteInfo>> = {
  openai: { alias: 'gpt-4o-mini', label: 'OpenAI Chat Completions', format: 'openai' },
  anthropic: { alias: 'claude-haiku', label: 'Anthropic Messages', format: 'anthropic' },
  gemini: { alias: 'gemini-flash', label: 'Gemini streamGenerateContent', format: 'gemini' },
};

/**
 * The environment that points every provider at the local upstream, as
 * `demo/upstream/provider-env.ts` does for `npm start` and the tests (OpenAI at `/v1`,
 * the others at the origin). `upstreamUrl` is the upstream's base URL ending in `/v1`.
 */
export function benchProviderEnv(upstreamUrl: string): Record<string, string> {
  const origin = new URL(upstreamUrl).origin;
  return {
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: upstreamUrl,
    ANTHROPIC_API_KEY: 'bench',
    ANTHROPIC_BASE_URL: origin,
    GEMINI_API_KEY: 'bench',
    GEMINI_BASE_URL: origin,
  };
}

/** One upstream request: the path and query on the upstream's origin, its headers and body. */
export interface UpstreamRequest {
  pathAndQuery: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Exactly what our server sends upstream when a browser asks `alias` for an answer to
 * `content` (one user message, the shipped defaults): built by the provider's own
 * adapter, so the pass-through is sent the same request and streams the same answer,
 * usage and framing that ours reads.
 */
export function upstreamRequestFor(route: ProviderRoute, content: string, upstreamUrl: string): UpstreamRequest {
  const config = loadConfig(benchProviderEnv(upstreamUrl));
  const request = normalizeRequest({ model: PROVIDER_ROUTES[route].alias, messages: [{ role: 'user', content }] }, config);
  const provider = config.providers[request.model.provider];
  if (!provider) throw new Error(`alias ${request.model.alias} names provider ${request.model.provider}, which is not configured`);
  const { url, init } = ADAPTERS[provider.kind].buildRequest(request, provider);
  const parsed = new URL(url);
  return { pathAndQuery: `${parsed.pathname}${parsed.search}`, headers: init.headers, body: init.body };
}
