import { createHash, randomBytes } from 'node:crypto';
import { geminiErrors, geminiHeaders } from './gemini-http.js';
import type { GeminiErrorObject } from './gemini-http.js';
import { geminiPromptTokens, geminiUsage } from './gemini-request.js';
import type { GeminiPlan, GeminiRequest } from './gemini-request.js';
import { cachedPromptTokens } from './answer-plan.js';
import type { StreamScript } from './scripted-stream.js';

/**
 * The bytes of Gemini's `streamGenerateContent?alt=sse` answers: CRLF-framed SSE
 * (`data: JSON\r\n\r\n`), no `event:` names and no `[DONE]` (the stream ends with the
 * connection). Each event is a whole `GenerateContentResponse`: one part (`{text}`, or
 * `{text, thought: true}` for thoughts), the cumulative `usageMetadata`, the model
 * version and response id; the last event carries `finishReason`.
 */

/** One event. */
export function geminiEvent(response: object): string {
  return `data: ${JSON.stringify(response)}\r\n\r\n`;
}

/** An error in the stream, after a 200. */
export function geminiErrorEvent(error: GeminiErrorObject): string {
  return geminiEvent({ error });
}

/** The frames of one streamed answer, following `plan`. */
export function geminiScript(request: GeminiRequest, plan: GeminiPlan, model: string, startedAt: number): StreamScript {
  const responseId = randomBytes(15).toString('base64url');
  const promptTokens = geminiPromptTokens(request);
  const cached = cachedPromptTokens(plan, promptTokens);
  const thoughts = plan.reasoning.length;
  const event = (part: object, usage: object, finishReason?: string): string =>
    geminiEvent({
      candidates: [{ content: { parts: [part], role: 'model' }, ...(finishReason ? { finishReason } : {}), index: 0 }],
      usageMetadata: usage,
      modelVersion: model,
      responseId,
    });
  // The last part carries a thought signature when the model thought, as the real API sends it.
  const signature = thoughts > 0 ? { thoughtSignature: createHash('sha256').update(plan.thoughts).digest('base64') } : {};
  return {
    headers: geminiHeaders('text/event-stream', startedAt),
    open: () => '',
    reasoning: (text, at) => event({ text, thought: true }, geminiUsage(promptTokens, cached, at + 1, 0)),
    startText: () => '',
    text: (text, at) => event({ text }, geminiUsage(promptTokens, cached, thoughts, at + 1)),
    finish: () => event({ text: '', ...signature }, plan.usage, plan.finishReason),
    errorFirst: (fault) =>
      geminiErrorEvent(fault === 'overloaded' ? geminiErrors.unavailable() : geminiErrors.internal('local upstream fault "error-first"')),
    errorMid: () => geminiErrorEvent(geminiErrors.internal('local upstream fault "error-mid"')),
    garbage: () => 'data: {"candidates":[{"content":{"parts":[{"text":"Hel\r\n\r\n',
  };
}
