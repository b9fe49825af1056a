import type { ProviderConfig } from '../../config/config.js';

/**
 * Headers for an OpenAI-style JSON request, with the key where the provider wants it:
 * `Authorization: Bearer` (OpenAI and most compatible servers), `api-key` (Azure
 * OpenAI), or none (a local server without auth).
 */
export function bearerHeaders(provider: ProviderConfig): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (provider.apiKey === '' || provider.auth === 'none') return headers;
  if (provider.auth === 'api-key') headers['api-key'] = provider.apiKey;
  else headers.authorization = `Bearer ${provider.apiKey}`;
  return headers;
}
