import { readDirectives, removeDirectives, stripDirectives } from './directives.js';
import type { Directives } from './directives.js';
import { writeJsonAnswer } from './json-answer.js';
import { sampleFromSchema } from './json-schema-sample.js';
import { writeMarkdownAnswer } from './markdown-answer.js';
import { planReasoning } from './reasoning-plan.js';
import { splitIntoTokens } from './tokenize.js';

/**
 * Provider-neutral planning: what the local upstream will say to one request, decided
 * before the first byte, so tests can compare what a client read with what was meant.
 * Each provider module (openai-chat.ts, later anthropic-messages.ts, …) maps its own
 * request to an {@link AnswerRequest} and the plan to its own wire format.
 */

/** What kind of document the answer is. */
export type AnswerFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; schema: unknown };

/** The provider-neutral part of a request. */
export interface AnswerRequest {
  /** The last user message as sent, markers included. */
  prompt: string;
  format: AnswerFormat;
  /** Output cap (max_tokens and friends); the answer stops there. */
  maxTokens?: number;
}

/** What will be streamed. */
export interface AnswerPlan {
  /** The text deltas, in order; `deltas.join('')` is the whole answer. */
  deltas: string[];
  /**
   * The reasoning deltas sent before the text (`[[reasoning:N]]`: exactly N), empty
   * without the marker. The output cap does not cut them: it applies to the text.
   */
  reasoning: string[];
  /** True when the output cap cut the answer short (finish reason "length"). */
  truncated: boolean;
  /** The markers found in the prompt. */
  directives: Directives;
  /** The prompt without markers, shortened: what the answer is about. */
  topic: string;
}

/** How many text deltas a `[[refusal]]` answer sends before the provider's refusal reason. */
export const REFUSAL_AFTER_DELTAS = 5;

/** Topics longer than this are cut, so a huge prompt does not make a huge heading. */
const MAX_TOPIC_CHARS = 80;

function toTopic(prompt: string): string {
  const chars = Array.from(stripDirectives(prompt));
  return chars.length > MAX_TOPIC_CHARS ? `${chars.slice(0, MAX_TOPIC_CHARS).join('')}…` : chars.join('');
}

function writeAnswer(topic: string, format: AnswerFormat, lengthTokens: number | undefined): string[] {
  switch (format.type) {
    case 'json_object':
      return splitIntoTokens(writeJsonAnswer(topic, lengthTokens));
    case 'json_schema':
      // Structured Outputs come compact; a schema fixes the size, so no length marker here.
      return splitIntoTokens(JSON.stringify(sampleFromSchema(format.schema, topic)));
    case 'text':
      return writeMarkdownAnswer(topic, lengthTokens);
  }
}

/**
 * Plans the answer to one request. Pure and deterministic: the same request always
 * gets the same deltas.
 *
 * @example
 * const plan = planAnswer({ prompt: 'Explain SSE [[length:20]]', format: { type: 'text' } });
 * plan.deltas.length; // 20
 */
export function planAnswer(request: AnswerRequest): AnswerPlan {
  const directives = readDirectives(request.prompt);
  const topic = toTopic(request.prompt);
  const full = directives.echo && request.format.type === 'text'
    ? splitIntoTokens(removeDirectives(request.prompt))
    : writeAnswer(topic, request.format, directives.lengthTokens);
  const cap = request.maxTokens;
  const truncated = cap !== undefined && full.length > cap;
  const reasoning = planReasoning(topic, directives.reasoningTokens ?? 0);
  return { deltas: truncated ? full.slice(0, cap) : full, reasoning, truncated, directives, topic };
}

/**
 * The local upstream's own prompt-token count: ceil(characters / 4) + 3 per message,
 * plus 3 for the reply's priming. Not tiktoken's count, but deterministic and in the
 * same range, which is what usage tests and the demo need.
 */
export function estimatePromptTokens(messageTexts: readonly string[]): number {
  return messageTexts.reduce((sum, text) => sum + Math.ceil(text.length / 4) + 3, 3);
}

/** The prompt tokens reported as cached (`[[cached:N]]`), never more than the prompt. */
export function cachedPromptTokens(plan: AnswerPlan, promptTokens: number): number {
  return Math.min(plan.directives.cachedTokens ?? 0, promptTokens);
}
