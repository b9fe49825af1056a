import { readDirectives } from './directives.js';
import { geminiScript } from './gemini-events.js';
import { geminiErrors, sendGeminiError } from './gemini-http.js';
import type { GeminiErrorObject } from './gemini-http.js';
import { geminiPrompt, parseGeminiRequest, planGeminiAnswer } from './gemini-request.js';
import type { RouteContext, UpstreamRoute } from './route.js';
import { streamScripted } from './scripted-stream.js';
import { hashText } from './seeded-random.js';

/**
 * `POST /v1beta/models/{model}:streamGenerateContent?alt=sse`, Gemini's streaming
 * endpoint, with thought parts on `[[reasoning:N]]` and the faults the prompt's markers
 * ask for: 429 `RESOURCE_EXHAUSTED`, 500 `INTERNAL`, 503 and 529 `UNAVAILABLE` as HTTP
 * errors; `overloaded` as a 200 whose first event is a 503 error; `error-first`,
 * `error-mid`, `drop`, `stall`, `garbage`.
 *
 * The key must come in `x-goog-api-key`. A `key=` in the query is refused with 400,
 * as a strict proxy would: Google accepts it, but URLs end up in logs.
 */

/** The path, with the model in it. */
export const GEMINI_STREAM_PATH = /^\/v1beta\/models\/([^/:]+):streamGenerateContent$/;

const STATUS_FAULTS: Readonly<Record<string, () => GeminiErrorObject>> = {
  '429': geminiErrors.rateLimited,
  '500': () => geminiErrors.internal('local upstream fault "500"'),
  '503': geminiErrors.unavailable,
  '529': geminiErrors.unavailable,
};

async function handleStreamGenerate(context: RouteContext): Promise<void> {
  const fail = (error: GeminiErrorObject): void => sendGeminiError(context.res, error, context.startedAt);
  const url = new URL(context.req.url ?? '/', 'http://local');
  const model = decodeURIComponent(GEMINI_STREAM_PATH.exec(url.pathname)?.[1] ?? '');
  if (url.searchParams.has('key')) return fail(geminiErrors.keyInUrl());
  const key = context.req.headers['x-goog-api-key'];
  if (typeof key !== 'string' || key === '') return fail(geminiErrors.missingKey());
  if (url.searchParams.get('alt') !== 'sse') {
    return fail(geminiErrors.invalid('The local upstream streams Gemini answers only as SSE: add ?alt=sse.'));
  }
  let body: unknown;
  try {
    body = JSON.parse(context.body);
  } catch {
    return fail(geminiErrors.invalid('Invalid JSON payload received.'));
  }
  const parsed = parseGeminiRequest(body);
  if (!parsed.ok) return fail(parsed.error);
  const { request } = parsed;
  const directives = readDirectives(geminiPrompt(request));
  const fault = context.faults.take(directives.fault, hashText(JSON.stringify(request.contents)));
  const statusError = fault === undefined ? undefined : STATUS_FAULTS[fault];
  if (statusError !== undefined) return fail(statusError());
  const plan = planGeminiAnswer(request);
  await streamScripted(context, geminiScript(request, plan, model, context.startedAt), plan, fault, directives.pace ?? context.pace);
}

/** The streaming endpoint. */
export const geminiStreamRoute: UpstreamRoute = { method: 'POST', path: GEMINI_STREAM_PATH, handle: handleStreamGenerate };
