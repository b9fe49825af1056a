import { cachedPromptTokens, estimatePromptTokens, planAnswer } from './answer-plan.js';
import type { AnswerFormat, AnswerPlan } from './answer-plan.js';
import type { ReasoningField } from './directives.js';
import { openAIErrors } from './openai-http.js';
import type { OpenAIErrorResponse } from './openai-http.js';

/**
 * The part of a Chat Completions request the local upstream reads, loose enough that
 * the `openai` SDK's own params type is assignable to it (tests hand the same object
 * to the SDK and to {@link planOpenAIChatAnswer}).
 */
export interface OpenAIChatRequest {
  model: string;
  messages: ReadonlyArray<{ role: string; content?: unknown }>;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null; include_obfuscation?: boolean | null } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  response_format?: {
    type: string;
    json_schema?: { name?: string; schema?: unknown; strict?: boolean | null };
  } | null;
}

/** Token usage in OpenAI's shape. */
export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

/** What the local upstream will answer to one Chat Completions request. */
export interface OpenAIChatPlan extends AnswerPlan {
  /** The whole answer text, `deltas.join('')`. */
  text: string;
  /** The reasoning text, `reasoning.join('')`, streamed before the answer in {@link reasoningField}. */
  reasoningText: string;
  /**
   * The delta field that carries reasoning (`[[reasoning-field:…]]`); `think` puts it in
   * the content between {@link THINK_OPEN} and {@link THINK_CLOSE}. @default 'reasoning_content'
   */
  reasoningField: ReasoningField;
  finishReason: 'stop' | 'length';
  /**
   * What the usage chunk will say: completion_tokens counts reasoning and content deltas,
   * reasoning_tokens the reasoning ones. `[[no-usage]]` omits the chunk altogether.
   */
  usage: OpenAIUsage;
}

/** The first content delta of inline reasoning (`[[reasoning-field:think]]`). */
export const THINK_OPEN = '<think>\n';

/** The content delta that closes inline reasoning, before the answer. */
export const THINK_CLOSE = '\n</think>\n\n';

/** The outcome of validating a request body. */
export type OpenAIChatParse = { ok: true; request: OpenAIChatRequest } | { ok: false; error: OpenAIErrorResponse };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of a message's content: a string, or the `text` of its text parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('');
}

function reject(message: string, param: string | null = null, code: string | null = null): OpenAIChatParse {
  return { ok: false, error: openAIErrors.invalid(message, param, code) };
}

function checkTokenCap(body: Record<string, unknown>, key: string): OpenAIChatParse | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return reject(`Invalid type for '${key}': expected an integer, but got ${typeof value} instead.`, key, 'invalid_type');
  }
  if (value >= 1) return undefined;
  return reject(
    `Invalid '${key}': integer below minimum value. Expected a value >= 1, but got ${value} instead.`,
    key,
    'integer_below_min_value',
  );
}

/**
 * Validates a parsed body loosely, as the real API would reject it: a model, a
 * non-empty `messages` array of objects with a role, sane token caps.
 */
export function parseOpenAIChatRequest(body: unknown): OpenAIChatParse {
  if (!isRecord(body)) return { ok: false, error: openAIErrors.invalidJson() };
  const messages = body['messages'];
  if (messages === undefined) return reject("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (!Array.isArray(messages)) {
    const message = `Invalid type for 'messages': expected an array of objects, but got ${typeof messages} instead.`;
    return reject(message, 'messages', 'invalid_type');
  }
  if (messages.length === 0) {
    return reject(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  const bad = messages.findIndex((message) => !isRecord(message) || typeof message['role'] !== 'string');
  if (bad >= 0) {
    const param = `messages[${bad}].role`;
    return reject(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  }
  if (typeof body['model'] !== 'string' || body['model'] === '') return reject('you must provide a model parameter');
  const capError = checkTokenCap(body, 'max_tokens') ?? checkTokenCap(body, 'max_completion_tokens');
  if (capError) return capError;
  const format = body['response_format'];
  if (isRecord(format) && format['type'] === 'json_schema' && !isRecord(format['json_schema'])) {
    const param = 'response_format.json_schema';
    return reject(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  }
  // Validated above field by field; the rest is read defensively where it is used.
  return { ok: true, request: body as unknown as OpenAIChatRequest };
}

/** The text the answer is about: the last user message (markers and all). */
export function lastUserText(request: OpenAIChatRequest): string {
  const last = request.messages.findLast((message) => message.role === 'user') ?? request.messages.at(-1);
  return contentText(last?.content);
}

function answerFormat(request: OpenAIChatRequest): AnswerFormat {
  const format = request.response_format;
  if (format?.type === 'json_object') return { type: 'json_object' };
  if (format?.type === 'json_schema') return { type: 'json_schema', schema: format.json_schema?.schema ?? {} };
  return { type: 'text' };
}

/**
 * Plans the answer to a Chat Completions request: the exact deltas, finish reason and
 * usage the local upstream will send. Pure, so a test can compare an SDK's reading
 * of the stream with it.
 *
 * @example
 * const plan = planOpenAIChatAnswer({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
 * plan.text === plan.deltas.join(''); // true
 */
export function planOpenAIChatAnswer(request: OpenAIChatRequest): OpenAIChatPlan {
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const plan = planAnswer({
    prompt: lastUserText(request),
    format: answerFormat(request),
    ...(maxTokens === undefined ? {} : { maxTokens }),
  });
  const promptTokens = estimatePromptTokens(request.messages.map((message) => contentText(message.content)));
  const inline = plan.reasoning.length > 0 && plan.directives.reasoningField === 'think';
  // Inline <think> tags are two more content tokens, and the server cannot tell reasoning from answer.
  const completionTokens = plan.reasoning.length + plan.deltas.length + (inline ? 2 : 0);
  return {
    ...plan,
    text: plan.deltas.join(''),
    reasoningText: plan.reasoning.join(''),
    reasoningField: plan.directives.reasoningField ?? 'reasoning_content',
    finishReason: plan.truncated ? 'length' : 'stop',
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cachedPromptTokens(plan, promptTokens), audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: inline ? 0 : plan.reasoning.length,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
  };
}
