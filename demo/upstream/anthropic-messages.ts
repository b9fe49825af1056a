import { anthropicErrors, newAnthropicRequestId, sendAnthropicError } from './anthropic-http.js';
import type { AnthropicErrorResponse } from './anthropic-http.js';
import { anthropicScript } from './anthropic-events.js';
import { anthropicPrompt, parseAnthropicRequest, planAnthropicAnswer } from './anthropic-request.js';
import { readDirectives } from './directives.js';
import type { RouteContext, UpstreamRoute } from './route.js';
import { streamScripted } from './scripted-stream.js';
import { hashText } from './seeded-random.js';

/**
 * `POST /v1/messages`, Anthropic's Messages API, streamed (`stream: true`), with thinking
 * blocks on `[[reasoning:N]]` and the faults the prompt's markers ask for: 429, 500,
 * 503, 529 (`overloaded_error`) as HTTP errors; `overloaded` as a 200 whose first event
 * is an overloaded error; `error-first`, `error-mid`, `drop`, `stall`, `garbage`.
 */

const STATUS_FAULTS: Readonly<Record<string, number>> = { '500': 500, '503': 503, '529': 529 };

async function handleMessages(context: RouteContext): Promise<void> {
  const requestId = newAnthropicRequestId();
  const fail = (error: AnthropicErrorResponse): void => sendAnthropicError(context.res, error, requestId);
  const { headers } = context.req;
  // The API takes the key in x-api-key or, as the SDK sends it since 1.x, as a bearer token.
  const hasKey = (typeof headers['x-api-key'] === 'string' && headers['x-api-key'] !== '') || /^Bearer\s+\S+/i.test(headers.authorization ?? '');
  if (!hasKey) return fail(anthropicErrors.missingKey());
  if (typeof headers['anthropic-version'] !== 'string') return fail(anthropicErrors.invalid('anthropic-version: header is required'));
  let body: unknown;
  try {
    body = JSON.parse(context.body);
  } catch {
    return fail(anthropicErrors.invalid('There was an issue with your request body: invalid JSON'));
  }
  const parsed = parseAnthropicRequest(body);
  if (!parsed.ok) return fail(parsed.error);
  const { request } = parsed;
  if (request.stream !== true) {
    return fail(anthropicErrors.invalid('stream: the local upstream answers Messages requests only with stream: true'));
  }
  const directives = readDirectives(anthropicPrompt(request));
  const fault = context.faults.take(directives.fault, hashText(JSON.stringify(request.messages)));
  if (fault === '429') return fail(anthropicErrors.rateLimited());
  const status = fault === undefined ? undefined : STATUS_FAULTS[fault];
  if (status !== undefined) return fail(anthropicErrors.server(status));
  const plan = planAnthropicAnswer(request);
  await streamScripted(context, anthropicScript(request, plan, requestId), plan, fault, directives.pace ?? context.pace);
}

/** The Messages endpoint. */
export const anthropicMessagesRoute: UpstreamRoute = { method: 'POST', path: '/v1/messages', handle: handleMessages };
