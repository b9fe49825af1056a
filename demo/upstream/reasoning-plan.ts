import { pick, seededRandom } from './seeded-random.js';
import { splitIntoTokens } from './tokenize.js';

/**
 * The "thinking" the local upstream streams before an answer when the prompt carries
 * `[[reasoning:N]]`: plain first-person notes about the topic (with a non-ASCII word, so
 * reasoning text crosses the same UTF-8 traps as answer text), cut to exactly N tokens.
 * Every route that can stream reasoning sends these deltas in its own field: Anthropic
 * `thinking_delta`, Gemini `thought: true` parts, Responses reasoning summaries, Ollama
 * `message.thinking`, Chat Completions `reasoning_content` or `reasoning`.
 */

const STEPS = [
  'First I should restate what is being asked.',
  'The reader wants the short version before the details.',
  'A list will make the steps easier to follow.',
  'I need to check that the example compiles.',
  'The café example keeps the non-ASCII case honest.',
  'Retrying is only safe before any text was shown.',
  'The answer should end on a complete paragraph.',
  'Let me count what the stream has already sent.',
] as const;

/**
 * Exactly `tokens` reasoning deltas about `topic`, deterministic from both.
 *
 * @example
 * planReasoning('Explain SSE', 12).length; // 12
 */
export function planReasoning(topic: string, tokens: number): string[] {
  if (tokens <= 0) return [];
  const random = seededRandom(`reasoning:${topic}`);
  const deltas = splitIntoTokens(`The user asks about “${topic}”.`);
  while (deltas.length < tokens) deltas.push(...splitIntoTokens(` ${pick(random, STEPS)}`));
  return deltas.slice(0, tokens);
}
