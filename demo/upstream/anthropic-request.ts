import { createHash } from 'node:crypto';
import { REFUSAL_AFTER_DELTAS, cachedPromptTokens, estimatePromptTokens, planAnswer } from './answer-plan.js';
import type { AnswerFormat, AnswerPlan } from './answer-plan.js';
import { anthropicErrors } from './anthropic-http.js';
import type { AnthropicErrorResponse } from './anthropic-http.js';
import { contentText } from './openai-chat-request.js';

/**
 * The part of an Anthropic Messages request the local upstream reads, loose enough
 * that the SDK's own params type is assignable to it, and the plan of the answer.
 */
export interface AnthropicMessagesRequest {
  model: string;
  max_tokens: number;
  messages: ReadonlyArray<{ role: string; content: unknown }>;
  system?: unknown;
  stream?: boolean | null;
  output_config?: { format?: { type?: string; schema?: unknown } | null } | null;
}

/** Anthropic's usage, as `message_start` and `message_delta` carry it. */
export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

/** What the local upstream will answer to one Messages request. */
export interface AnthropicPlan extends AnswerPlan {
  /** The text block, `deltas.join('')`. */
  text: string;
  /** The thinking block, `reasoning.join('')` ('' without `[[reasoning:N]]`). */
  thinking: string;
  /** The thinking block's signature (deterministic from the thinking). */
  signature: string;
  stopReason: 'end_turn' | 'max_tokens' | 'refusal';
  /** The final usage; `output_tokens` counts thinking and text deltas. */
  usage: AnthropicUsage;
}

/** The outcome of validating a request body. */
export type AnthropicParse = { ok: true; request: AnthropicMessagesRequest } | { ok: false; error: AnthropicErrorResponse };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed body as the real API would reject it. */
export function parseAnthropicRequest(body: unknown): AnthropicParse {
  const reject = (message: string): AnthropicParse => ({ ok: false, error: anthropicErrors.invalid(message) });
  if (!isRecord(body)) return reject('Request body must be a JSON object');
  if (typeof body['model'] !== 'string' || body['model'] === '') return reject('model: Field required');
  const maxTokens = body['max_tokens'];
  if (maxTokens === undefined) return reject('max_tokens: Field required');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return reject('max_tokens: Input should be a valid integer greater than or equal to 1');
  }
  const messages = body['messages'];
  if (!Array.isArray(messages)) return reject('messages: Field required');
  if (messages.length === 0) return reject('messages: at least one message is required');
  const bad = messages.findIndex((message) => !isRecord(message) || (message['role'] !== 'user' && message['role'] !== 'assistant'));
  if (bad >= 0) return reject(`messages.${bad}.role: Input should be 'user' or 'assistant'`);
  // Validated above field by field; the rest is read defensively where it is used.
  return { ok: true, request: body as unknown as AnthropicMessagesRequest };
}

/** The last user message's text, markers and all. */
export function anthropicPrompt(request: AnthropicMessagesRequest): string {
  const last = request.messages.findLast((message) => message.role === 'user') ?? request.messages.at(-1);
  return contentText(last?.content);
}

function answerFormat(request: AnthropicMessagesRequest): AnswerFormat {
  const format = request.output_config?.format;
  return format?.type === 'json_schema' ? { type: 'json_schema', schema: format.schema ?? {} } : { type: 'text' };
}

/** A stand-in for Anthropic's opaque thinking signature: base64, stable for the same thinking. */
function signatureOf(thinking: string): string {
  const digest = createHash('sha256').update(`signature:${thinking}`).digest();
  return `Eq${Buffer.concat([digest, digest, digest]).toString('base64')}`;
}

/**
 * Plans the answer to a Messages request: the exact thinking and text deltas, stop
 * reason and usage the route will stream. Pure, so a test can compare an SDK's reading
 * with it.
 *
 * @example
 * const plan = planAnthropicAnswer({ model: 'claude-sonnet-5-5', max_tokens: 1024, messages: [{ role: 'user', content: 'hi [[reasoning:8]]' }] });
 * plan.thinking === plan.reasoning.join(''); // true
 */
export function planAnthropicAnswer(request: AnthropicMessagesRequest): AnthropicPlan {
  const planned = planAnswer({ prompt: anthropicPrompt(request), format: answerFormat(request), maxTokens: request.max_tokens });
  const refused = planned.directives.refusal === true;
  const plan = refused ? { ...planned, deltas: planned.deltas.slice(0, REFUSAL_AFTER_DELTAS), truncated: false } : planned;
  const texts = [contentText(request.system), ...request.messages.map((message) => contentText(message.content))];
  const promptTokens = estimatePromptTokens(texts);
  const cached = cachedPromptTokens(plan, promptTokens);
  const thinking = plan.reasoning.join('');
  return {
    ...plan,
    text: plan.deltas.join(''),
    thinking,
    signature: thinking === '' ? '' : signatureOf(thinking),
    stopReason: refused ? 'refusal' : plan.truncated ? 'max_tokens' : 'end_turn',
    usage: {
      // Anthropic's input_tokens leaves out what was read from the cache.
      input_tokens: promptTokens - cached,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: cached,
      output_tokens: plan.reasoning.length + plan.deltas.length,
    },
  };
}
