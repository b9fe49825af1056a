import { REFUSAL_AFTER_DELTAS, cachedPromptTokens, estimatePromptTokens, planAnswer } from './answer-plan.js';
import type { AnswerFormat, AnswerPlan } from './answer-plan.js';
import { geminiErrors } from './gemini-http.js';
import type { GeminiErrorObject } from './gemini-http.js';

/**
 * The part of a Gemini `generateContent` request body the local upstream reads (the
 * REST shape the `@google/genai` client sends), and the plan of the answer.
 */
export interface GeminiRequest {
  contents: ReadonlyArray<{ role?: string; parts?: ReadonlyArray<{ text?: string; thought?: boolean }> }>;
  systemInstruction?: { parts?: ReadonlyArray<{ text?: string }> } | null;
  generationConfig?: {
    maxOutputTokens?: number;
    responseMimeType?: string;
    responseSchema?: unknown;
    responseJsonSchema?: unknown;
  } | null;
}

/** `usageMetadata`, cumulative on every event. */
export interface GeminiUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  cachedContentTokenCount?: number;
  promptTokensDetails: Array<{ modality: 'TEXT'; tokenCount: number }>;
  thoughtsTokenCount?: number;
}

/** What the local upstream will answer to one request. */
export interface GeminiPlan extends AnswerPlan {
  /** The answer text (parts without `thought`). */
  text: string;
  /** The thought text (`thought: true` parts). */
  thoughts: string;
  finishReason: 'STOP' | 'MAX_TOKENS' | 'SAFETY';
  /** The last event's usage. */
  usage: GeminiUsage;
}

/** The outcome of validating a request body. */
export type GeminiParse = { ok: true; request: GeminiRequest } | { ok: false; error: GeminiErrorObject };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function partsText(parts: ReadonlyArray<{ text?: string; thought?: boolean }> | undefined): string {
  return (parts ?? []).map((part) => (part.thought === true ? '' : (part.text ?? ''))).join('');
}

/** Validates a parsed body as the real API would reject it. */
export function parseGeminiRequest(body: unknown): GeminiParse {
  const reject = (message: string): GeminiParse => ({ ok: false, error: geminiErrors.invalid(message) });
  if (!isRecord(body)) return reject('Invalid JSON payload received.');
  const contents = body['contents'];
  if (!Array.isArray(contents) || contents.length === 0) return reject('* GenerateContentRequest.contents: contents is not specified');
  const bad = contents.findIndex((content) => !isRecord(content) || !Array.isArray(content['parts']));
  if (bad >= 0) return reject(`* GenerateContentRequest.contents[${bad}].parts: contents.parts must not be empty.`);
  // Validated above field by field; the rest is read defensively where it is used.
  return { ok: true, request: body as unknown as GeminiRequest };
}

/** The last user content's text, markers and all. */
export function geminiPrompt(request: GeminiRequest): string {
  const last = request.contents.findLast((content) => (content.role ?? 'user') === 'user') ?? request.contents.at(-1);
  return partsText(last?.parts);
}

function answerFormat(request: GeminiRequest): AnswerFormat {
  const config = request.generationConfig;
  if (config?.responseMimeType !== 'application/json') return { type: 'text' };
  const schema = config.responseJsonSchema ?? config.responseSchema;
  return schema === undefined ? { type: 'json_object' } : { type: 'json_schema', schema };
}

/** The cumulative usage after `thoughts` thought deltas and `candidates` text deltas. */
export function geminiUsage(promptTokens: number, cached: number, thoughts: number, candidates: number): GeminiUsage {
  return {
    promptTokenCount: promptTokens,
    candidatesTokenCount: candidates,
    totalTokenCount: promptTokens + candidates + thoughts,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
  };
}

/** The prompt tokens of a request: system instruction and every content. */
export function geminiPromptTokens(request: GeminiRequest): number {
  const texts = [partsText(request.systemInstruction?.parts), ...request.contents.map((content) => partsText(content.parts))];
  return estimatePromptTokens(texts);
}

/**
 * Plans the answer to a request body: the exact thought and text deltas, finish reason
 * and final usage the route will stream. Pure.
 *
 * @example
 * const plan = planGeminiAnswer({ contents: [{ role: 'user', parts: [{ text: 'hi [[reasoning:5]]' }] }] });
 * plan.thoughts === plan.reasoning.join(''); // true
 */
export function planGeminiAnswer(request: GeminiRequest): GeminiPlan {
  const maxTokens = request.generationConfig?.maxOutputTokens;
  const planned = planAnswer({
    prompt: geminiPrompt(request),
    format: answerFormat(request),
    ...(maxTokens === undefined ? {} : { maxTokens }),
  });
  const refused = planned.directives.refusal === true;
  const plan = refused ? { ...planned, deltas: planned.deltas.slice(0, REFUSAL_AFTER_DELTAS), truncated: false } : planned;
  const promptTokens = geminiPromptTokens(request);
  return {
    ...plan,
    text: plan.deltas.join(''),
    thoughts: plan.reasoning.join(''),
    finishReason: refused ? 'SAFETY' : plan.truncated ? 'MAX_TOKENS' : 'STOP',
    usage: geminiUsage(promptTokens, cachedPromptTokens(plan, promptTokens), plan.reasoning.length, plan.deltas.length),
  };
}
