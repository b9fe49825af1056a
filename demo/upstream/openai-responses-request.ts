import { cachedPromptTokens, estimatePromptTokens, planAnswer } from './answer-plan.js';
import type { AnswerFormat, AnswerPlan } from './answer-plan.js';
import { contentText } from './openai-chat-request.js';
import { openAIErrors } from './openai-http.js';
import type { OpenAIErrorResponse } from './openai-http.js';

/**
 * The part of an OpenAI Responses request the local upstream reads, loose enough that
 * the `openai` SDK's params type is assignable to it, and the plan of the answer.
 */
export interface OpenAIResponsesRequest {
  model?: string | null;
  input?: string | ReadonlyArray<unknown> | null;
  instructions?: string | null;
  stream?: boolean | null;
  max_output_tokens?: number | null;
  text?: { format?: { type: string; schema?: unknown } | null } | null;
}

/** Usage as `response.completed` reports it. */
export interface OpenAIResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** What the local upstream will answer to one Responses request. */
export interface OpenAIResponsesPlan extends AnswerPlan {
  /** The output text, `deltas.join('')`. */
  text: string;
  /** The reasoning summary, `reasoning.join('')`. */
  summary: string;
  /** `incomplete` when `max_output_tokens` cut the answer. */
  status: 'completed' | 'incomplete';
  usage: OpenAIResponsesUsage;
}

/** The outcome of validating a request body. */
export type OpenAIResponsesParse = { ok: true; request: OpenAIResponsesRequest } | { ok: false; error: OpenAIErrorResponse };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed body as the real API would reject it. */
export function parseOpenAIResponsesRequest(body: unknown): OpenAIResponsesParse {
  const reject = (message: string, param: string | null, code: string | null): OpenAIResponsesParse => ({
    ok: false,
    error: openAIErrors.invalid(message, param, code),
  });
  if (!isRecord(body)) return { ok: false, error: openAIErrors.invalidJson() };
  if (typeof body['model'] !== 'string' || body['model'] === '') {
    return reject("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  }
  const input = body['input'];
  if (typeof input !== 'string' && !Array.isArray(input)) {
    return reject("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  }
  const cap = body['max_output_tokens'];
  if (cap !== undefined && cap !== null && (typeof cap !== 'number' || !Number.isInteger(cap) || cap < 16)) {
    return reject(
      `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${String(cap)} instead.`,
      'max_output_tokens',
      'integer_below_min_value',
    );
  }
  // Validated above field by field; the rest is read defensively where it is used.
  return { ok: true, request: body as unknown as OpenAIResponsesRequest };
}

interface InputMessage {
  role: string;
  text: string;
}

function inputMessages(request: OpenAIResponsesRequest): InputMessage[] {
  const { input } = request;
  if (typeof input === 'string') return [{ role: 'user', text: input }];
  return (input ?? []).flatMap((item) =>
    isRecord(item) && typeof item['role'] === 'string' ? [{ role: item['role'], text: contentText(item['content']) }] : [],
  );
}

/** The last user input's text, markers and all. */
export function responsesPrompt(request: OpenAIResponsesRequest): string {
  const messages = inputMessages(request);
  return (messages.findLast((message) => message.role === 'user') ?? messages.at(-1))?.text ?? '';
}

function answerFormat(request: OpenAIResponsesRequest): AnswerFormat {
  const format = request.text?.format;
  if (format?.type === 'json_object') return { type: 'json_object' };
  if (format?.type === 'json_schema') return { type: 'json_schema', schema: format.schema ?? {} };
  return { type: 'text' };
}

/**
 * Plans the answer to a Responses request: the exact summary and text deltas, status
 * and usage the route will stream. Pure.
 *
 * @example
 * const plan = planOpenAIResponsesAnswer({ model: 'o4-mini', input: 'hi [[reasoning:6]]' });
 * plan.usage.output_tokens_details.reasoning_tokens; // 6
 */
export function planOpenAIResponsesAnswer(request: OpenAIResponsesRequest): OpenAIResponsesPlan {
  const maxTokens = request.max_output_tokens ?? undefined;
  const plan = planAnswer({
    prompt: responsesPrompt(request),
    format: answerFormat(request),
    ...(maxTokens === undefined ? {} : { maxTokens }),
  });
  const texts = [request.instructions ?? '', ...inputMessages(request).map((message) => message.text)];
  const inputTokens = estimatePromptTokens(texts);
  const outputTokens = plan.reasoning.length + plan.deltas.length;
  return {
    ...plan,
    text: plan.deltas.join(''),
    summary: plan.reasoning.join(''),
    status: plan.truncated ? 'incomplete' : 'completed',
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: cachedPromptTokens(plan, inputTokens) },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: plan.reasoning.length },
      total_tokens: inputTokens + outputTokens,
    },
  };
}
