import { readDirectives } from './directives.js';
import { hasBearerToken, openAIErrors, sendOpenAIError } from './openai-http.js';
import type { OpenAIErrorResponse } from './openai-http.js';
import { openAIResponsesScript } from './openai-responses-events.js';
import { parseOpenAIResponsesRequest, planOpenAIResponsesAnswer, responsesPrompt } from './openai-responses-request.js';
import type { RouteContext, UpstreamRoute } from './route.js';
import { streamScripted } from './scripted-stream.js';
import { hashText } from './seeded-random.js';

/**
 * `POST /v1/responses`, OpenAI's Responses API, streamed (`stream: true`), with a
 * reasoning summary on `[[reasoning:N]]` and the faults the prompt's markers ask for:
 * 429, 500, 503, 529 as HTTP errors; `error-first` and `overloaded` as an `error` event
 * (nested shape) and `response.failed` before any output; `error-mid` as an `error`
 * event (flat shape) and `response.failed` after 5 deltas; `drop`, `stall`, `garbage`.
 */

function statusError(fault: string, model: string): OpenAIErrorResponse | undefined {
  if (fault === '429') return openAIErrors.rateLimited(model);
  if (fault === '500' || fault === '503' || fault === '529') return { ...openAIErrors.serverError(), status: Number(fault) };
  return undefined;
}

async function handleResponses(context: RouteContext): Promise<void> {
  const fail = (error: OpenAIErrorResponse): void => sendOpenAIError(context.res, error, context.requestId, context.startedAt);
  if (!hasBearerToken(context.req)) return fail(openAIErrors.missingKey());
  let body: unknown;
  try {
    body = JSON.parse(context.body);
  } catch {
    return fail(openAIErrors.invalidJson());
  }
  const parsed = parseOpenAIResponsesRequest(body);
  if (!parsed.ok) return fail(parsed.error);
  const { request } = parsed;
  if (request.stream !== true) {
    return fail(openAIErrors.invalid('The local upstream answers Responses requests only with stream: true.', 'stream', null));
  }
  const directives = readDirectives(responsesPrompt(request));
  const fault = context.faults.take(directives.fault, hashText(JSON.stringify([request.instructions, request.input])));
  const error = fault === undefined ? undefined : statusError(fault, request.model ?? '');
  if (error !== undefined) return fail(error);
  const plan = planOpenAIResponsesAnswer(request);
  const script = openAIResponsesScript(request, plan, context.requestId, context.startedAt);
  await streamScripted(context, script, plan, fault, directives.pace ?? context.pace);
}

/** The Responses endpoint. */
export const openAIResponsesRoute: UpstreamRoute = { method: 'POST', path: '/v1/responses', handle: handleResponses };
