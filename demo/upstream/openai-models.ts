import { hasBearerToken, openAIErrors, openAIHeaders, sendOpenAIError } from './openai-http.js';
import type { RouteContext, UpstreamRoute } from './route.js';

/** Model ids the local upstream lists; it answers to any model name regardless. */
export const LISTED_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-nano', 'gpt-4.1-mini'] as const;

async function handleModels(context: RouteContext): Promise<void> {
  if (!hasBearerToken(context.req)) {
    sendOpenAIError(context.res, openAIErrors.missingKey(), context.requestId, context.startedAt);
    return;
  }
  const data = LISTED_MODELS.map((id) => ({ id, object: 'model', created: 1_715_367_049, owned_by: 'system' }));
  context.res.writeHead(200, openAIHeaders(context.requestId, context.startedAt, 'application/json'));
  context.res.end(`${JSON.stringify({ object: 'list', data }, null, 2)}\n`);
}

/** `GET /v1/models`, which some OpenAI-compatible clients call to probe a base URL. */
export const openAIModelsRoute: UpstreamRoute = { method: 'GET', path: '/v1/models', handle: handleModels };
