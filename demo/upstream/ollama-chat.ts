import type { ServerResponse } from 'node:http';
import { readDirectives } from './directives.js';
import { ollamaPrompt, parseOllamaRequest, planOllamaAnswer } from './ollama-request.js';
import type { OllamaChatRequest, OllamaPlan } from './ollama-request.js';
import type { RouteContext, UpstreamRoute } from './route.js';
import type { StreamScript } from './scripted-stream.js';
import { streamScripted } from './scripted-stream.js';
import { hashText } from './seeded-random.js';

/**
 * `POST /api/chat`, Ollama's native chat endpoint: newline-delimited JSON
 * (`application/x-ndjson`), one object per line, `message.thinking` lines on
 * `[[reasoning:N]]` before the `message.content` lines, and a final `done: true` line
 * with `done_reason`, `prompt_eval_count`, `eval_count` and durations in nanoseconds.
 * Faults: 429, 500, 503 and 529 (503 "server busy") as HTTP errors with
 * `{"error": "…"}`; `error-first`, `overloaded` and `error-mid` as an `{"error": "…"}`
 * line after a 200; `drop`, `stall`, `garbage`.
 */

const STATUS_FAULTS: Readonly<Record<string, { status: number; error: string }>> = {
  '429': { status: 429, error: 'too many requests (local upstream fault "429")' },
  '500': { status: 500, error: 'llama runner process has terminated: exit status 2 (local upstream fault "500")' },
  '503': { status: 503, error: 'server busy, please try again.  maximum pending requests exceeded' },
  '529': { status: 503, error: 'server busy, please try again.  maximum pending requests exceeded' },
};

function line(value: object): string {
  return `${JSON.stringify(value)}\n`;
}

function sendOllamaError(res: ServerResponse, status: number, error: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error }));
}

/** The lines of one streamed answer, following `plan`. */
function ollamaScript(request: OllamaChatRequest, plan: OllamaPlan, startedAt: number): StreamScript {
  const base = (): { model: string; created_at: string } => ({ model: request.model, created_at: new Date().toISOString() });
  const nanoseconds = (ms: number): number => Math.round(ms * 1e6);
  return {
    headers: { 'content-type': 'application/x-ndjson' },
    open: () => '',
    reasoning: (thinking) => line({ ...base(), message: { role: 'assistant', content: '', thinking }, done: false }),
    startText: () => '',
    text: (content) => line({ ...base(), message: { role: 'assistant', content }, done: false }),
    finish: () => {
      const total = performance.now() - startedAt;
      return line({
        ...base(),
        message: { role: 'assistant', content: '' },
        done: true,
        done_reason: plan.doneReason,
        total_duration: nanoseconds(total),
        load_duration: nanoseconds(Math.min(total, 1.5)),
        prompt_eval_count: plan.promptEvalCount,
        prompt_eval_duration: nanoseconds(total / 10),
        eval_count: plan.evalCount,
        eval_duration: nanoseconds((total * 9) / 10),
      });
    },
    errorFirst: (fault) =>
      line({
        error: fault === 'overloaded' ? 'server busy, please try again.  maximum pending requests exceeded' : 'an error was encountered while running the model (local upstream fault "error-first")',
      }),
    errorMid: () => line({ error: 'an error was encountered while running the model (local upstream fault "error-mid")' }),
    garbage: () => `{"model":${JSON.stringify(request.model)},"created_at":"2026-01-01T00:00:00Z","message":{"role":"assis\n`,
  };
}

async function handleChat(context: RouteContext): Promise<void> {
  const fail = (status: number, error: string): void => sendOllamaError(context.res, status, error);
  let body: unknown;
  try {
    body = JSON.parse(context.body);
  } catch {
    return fail(400, 'invalid character in request body: not JSON');
  }
  const parsed = parseOllamaRequest(body);
  if (!parsed.ok) return fail(parsed.status, parsed.error);
  const { request } = parsed;
  // Ollama streams unless told not to.
  if (request.stream === false) return fail(400, 'the local upstream answers /api/chat only as a stream (stream: true)');
  const directives = readDirectives(ollamaPrompt(request));
  const fault = context.faults.take(directives.fault, hashText(JSON.stringify(request.messages)));
  const statusFault = fault === undefined ? undefined : STATUS_FAULTS[fault];
  if (statusFault !== undefined) return fail(statusFault.status, statusFault.error);
  const plan = planOllamaAnswer(request);
  await streamScripted(context, ollamaScript(request, plan, context.startedAt), plan, fault, directives.pace ?? context.pace);
}

/** The native chat endpoint. */
export const ollamaChatRoute: UpstreamRoute = { method: 'POST', path: '/api/chat', handle: handleChat };
