import { randomBytes } from 'node:crypto';
import { readDirectives } from './directives.js';
import type { ReasoningField } from './directives.js';
import { THINK_CLOSE, THINK_OPEN, lastUserText } from './openai-chat-request.js';
import type { OpenAIChatPlan, OpenAIChatRequest, OpenAIUsage } from './openai-chat-request.js';
import type { OpenAIErrorObject } from './openai-http.js';

/**
 * The bytes of OpenAI's Chat Completions answers: `chat.completion.chunk` frames in
 * the field order the real API uses, the `[DONE]` terminator, and the non-streaming
 * `chat.completion` object.
 */

/** The end-of-stream frame. */
export const DONE_FRAME = 'data: [DONE]\n\n';

/** What every chunk of one response shares. */
export interface ChunkStyle {
  id: string;
  created: number;
  model: string;
  systemFingerprint: string;
  /**
   * `stream_options.include_usage`: every chunk carries `usage` (null until the last).
   * False under `[[no-usage]]`, as from servers that ignore the option.
   */
  includeUsage: boolean;
  /** `stream_options.include_obfuscation` (on unless set false): random padding per chunk. */
  includeObfuscation: boolean;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Random-looking characters. Not crypto randomness: nothing depends on their quality,
 * and the padding is made per chunk, where `randomBytes` (a system call each) took a
 * third of the upstream's CPU time in a bench burst of 1,000 streams, time the server
 * under test then lacked on a two-core machine.
 */
function randomAlphanumeric(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHANUMERIC[Math.floor(Math.random() * ALPHANUMERIC.length)];
  return text;
}

/** A fresh style (id, timestamp, fingerprint) for one response to `request`. */
export function newChunkStyle(request: OpenAIChatRequest): ChunkStyle {
  return {
    id: `chatcmpl-${randomAlphanumeric(29)}`,
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    systemFingerprint: 'fp_10ca1u9s7r',
    includeUsage: request.stream_options?.include_usage === true && readDirectives(lastUserText(request)).noUsage !== true,
    includeObfuscation: request.stream_options?.include_obfuscation !== false,
  };
}

/** A new `x-request-id` value, in OpenAI's `req_` + 32 hex form. */
export function newRequestId(): string {
  return `req_${randomBytes(16).toString('hex')}`;
}

function frame(style: ChunkStyle, choices: readonly unknown[], usage: OpenAIUsage | null): string {
  const chunk: Record<string, unknown> = {
    id: style.id,
    object: 'chat.completion.chunk',
    created: style.created,
    model: style.model,
    service_tier: 'default',
    system_fingerprint: style.systemFingerprint,
    choices,
  };
  if (style.includeUsage) chunk['usage'] = usage;
  if (style.includeObfuscation) chunk['obfuscation'] = randomAlphanumeric(1 + Math.floor(Math.random() * 15));
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** The first chunk: the assistant role with empty content. */
export function roleFrame(style: ChunkStyle): string {
  return frame(style, [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], null);
}

/** One content delta. */
export function contentFrame(style: ChunkStyle, content: string): string {
  return frame(style, [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }], null);
}

/**
 * One reasoning delta before the answer: DeepSeek's and vLLM's `reasoning_content`
 * (with `content: null`), OpenRouter's and Ollama `/v1`'s `reasoning` (with an empty
 * content), or plain content (`think`, inside `<think>` tags).
 */
export function reasoningFrame(style: ChunkStyle, field: ReasoningField, text: string): string {
  if (field === 'think') return contentFrame(style, text);
  const delta = field === 'reasoning' ? { role: 'assistant', content: '', reasoning: text } : { content: null, reasoning_content: text };
  return frame(style, [{ index: 0, delta, logprobs: null, finish_reason: null }], null);
}

/** The reasoning deltas as streamed: inline reasoning comes wrapped in `<think>` tags. */
export function reasoningDeltas(plan: OpenAIChatPlan): readonly string[] {
  if (plan.reasoning.length === 0 || plan.reasoningField !== 'think') return plan.reasoning;
  return [THINK_OPEN, ...plan.reasoning, THINK_CLOSE];
}

/** The chunk with an empty delta and the finish reason. */
export function finishFrame(style: ChunkStyle, finishReason: string): string {
  return frame(style, [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }], null);
}

/** The usage chunk (only with include_usage): empty choices, the totals. */
export function usageFrame(style: ChunkStyle, usage: OpenAIUsage): string {
  return frame(style, [], usage);
}

/** An error in the stream, after a 200: a data line whose JSON has a top-level `error`. */
export function errorFrame(error: OpenAIErrorObject): string {
  return `data: ${JSON.stringify({ error })}\n\n`;
}

/** The non-streaming answer, pretty-printed as the real API sends it. */
export function completionBody(style: ChunkStyle, plan: OpenAIChatPlan): string {
  const completion = {
    id: style.id,
    object: 'chat.completion',
    created: style.created,
    model: style.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: plan.reasoningField === 'think' && plan.reasoningText !== '' ? reasoningDeltas(plan).join('') + plan.text : plan.text,
          ...(plan.reasoningText === '' || plan.reasoningField === 'think' ? {} : { [plan.reasoningField]: plan.reasoningText }),
          refusal: null,
          annotations: [],
        },
        logprobs: null,
        finish_reason: plan.finishReason,
      },
    ],
    usage: plan.usage,
    service_tier: 'default',
    system_fingerprint: style.systemFingerprint,
  };
  return `${JSON.stringify(completion, null, 2)}\n`;
}
