import { estimatePromptTokens, planAnswer } from './answer-plan.js';
import type { AnswerFormat, AnswerPlan } from './answer-plan.js';

/**
 * The part of an Ollama `/api/chat` request the local upstream reads, loose enough that
 * the `ollama` client's `ChatRequest` is assignable to it, and the plan of the answer.
 */
export interface OllamaChatRequest {
  model: string;
  messages?: ReadonlyArray<{ role: string; content: string }>;
  stream?: boolean;
  format?: string | object;
  options?: { num_predict?: number };
}

/** What the local upstream will answer to one `/api/chat` request. */
export interface OllamaPlan extends AnswerPlan {
  /** The answer, `deltas.join('')`. */
  text: string;
  /** `message.thinking` joined, `reasoning.join('')`. */
  thinking: string;
  doneReason: 'stop' | 'length';
  /** Input tokens, as the final line's `prompt_eval_count`. */
  promptEvalCount: number;
  /** Output tokens (thinking and answer), as the final line's `eval_count`. */
  evalCount: number;
}

/** The outcome of validating a request body: the request, or an error message and status. */
export type OllamaParse = { ok: true; request: OllamaChatRequest } | { ok: false; status: number; error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed body as Ollama would reject it. */
export function parseOllamaRequest(body: unknown): OllamaParse {
  if (!isRecord(body)) return { ok: false, status: 400, error: 'invalid request body' };
  if (typeof body['model'] !== 'string' || body['model'] === '') return { ok: false, status: 400, error: 'model is required' };
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return { ok: false, status: 400, error: 'messages are required' };
  if (messages.some((message) => !isRecord(message) || typeof message['role'] !== 'string')) {
    return { ok: false, status: 400, error: 'invalid message: role is required' };
  }
  // Validated above field by field; the rest is read defensively where it is used.
  return { ok: true, request: body as unknown as OllamaChatRequest };
}

/** The last user message's text, markers and all. */
export function ollamaPrompt(request: OllamaChatRequest): string {
  const messages = request.messages ?? [];
  const last = messages.findLast((message) => message.role === 'user') ?? messages.at(-1);
  return typeof last?.content === 'string' ? last.content : '';
}

function answerFormat(request: OllamaChatRequest): AnswerFormat {
  if (request.format === 'json') return { type: 'json_object' };
  if (typeof request.format === 'object') return { type: 'json_schema', schema: request.format };
  return { type: 'text' };
}

/**
 * Plans the answer to an `/api/chat` request: the exact thinking and content deltas,
 * done reason and counts the route will stream. Pure.
 *
 * @example
 * const plan = planOllamaAnswer({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
 * plan.evalCount === plan.deltas.length; // true
 */
export function planOllamaAnswer(request: OllamaChatRequest): OllamaPlan {
  const maxTokens = request.options?.num_predict;
  // Ollama's num_predict of -1 (or any value below 1) means "no limit".
  const capped = maxTokens !== undefined && maxTokens >= 1;
  const plan = planAnswer({ prompt: ollamaPrompt(request), format: answerFormat(request), ...(capped ? { maxTokens } : {}) });
  const texts = (request.messages ?? []).map((message) => (typeof message.content === 'string' ? message.content : ''));
  return {
    ...plan,
    text: plan.deltas.join(''),
    thinking: plan.reasoning.join(''),
    doneReason: plan.truncated ? 'length' : 'stop',
    promptEvalCount: estimatePromptTokens(texts),
    evalCount: plan.reasoning.length + plan.deltas.length,
  };
}
